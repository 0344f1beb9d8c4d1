package dev.crystaldb.cli;

import dev.crystaldb.progress.Progress;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressLineTest {
    private final StringWriter written = new StringWriter();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Object lock = new Object();
    private final ProgressLine line = new ProgressLine(new PrintWriter(written, true), now::get, lock, false);

    @Test
    void nothingForWorkThatEndsWithinASecond() {
        try (Progress.Step step = line.start("backing up app.db", 100, () -> 50)) {
            now.addAndGet(900_000_000L);
            line.refresh();
        }
        line.refresh();
        assertEquals("", written.toString());
    }

    @Test
    void afterASecondTheStepItsShareAndItsTime() {
        AtomicLong done = new AtomicLong(512L * 1024 * 1024);
        Progress.Step step = line.start("backing up app.db", 1024L * 1024 * 1024, done::get);
        now.addAndGet(2_500_000_000L);
        line.refresh();
        assertEquals("\rbacking up app.db  50%  512.0 MiB of 1.0 GiB  2 s", written.toString());

        step.close();
        String afterClose = written.toString();
        assertTrue(afterClose.endsWith("\r" + " ".repeat("backing up app.db  50%  512.0 MiB of 1.0 GiB  2 s".length()) + "\r"),
                "closing the step erases its line: " + afterClose.replace("\r", "<CR>"));
    }

    @Test
    void theSecondCountsFromTheFirstStepSoShortStepsOfLongWorkShow() {
        line.start("applying 1 a (1 of 3)").close();
        now.addAndGet(700_000_000L);
        line.start("applying 2 b (2 of 3)").close();
        now.addAndGet(700_000_000L);
        Progress.Step third = line.start("applying 3 c (3 of 3)");
        now.addAndGet(100_000_000L);
        line.refresh();
        assertEquals("\rapplying 3 c (3 of 3)  0 s", written.toString());
        third.close();
    }

    @Test
    void aShorterLineCoversTheLongerOneBeforeIt() {
        line.start("checking the copy (integrity_check) of a long name").close();
        Progress.Step step = line.start("backing up a-rather-long-database-name.db", 10, () -> 3);
        now.addAndGet(1_000_000_000L);
        line.refresh();
        Progress.Step next = line.start("checking");
        line.refresh();
        String text = written.toString();
        String first = "backing up a-rather-long-database-name.db  30%  3 B of 10 B  1 s";
        assertTrue(text.startsWith("\r" + first), text);
        assertTrue(text.endsWith("\rchecking  0 s" + " ".repeat(first.length() - "checking  0 s".length())), text.replace("\r", "<CR>"));
        step.close(); // an older step: its close does not erase the newer one
        assertEquals(text, written.toString());
        next.close();
    }

    @Test
    void messagesEraseTheLineFirst() {
        StringWriter err = new StringWriter();
        Output output = new Output(new PrintWriter(new StringWriter()), new PrintWriter(err, true), false, false, true, false, now::get, false);
        ProgressLine progress = (ProgressLine) output.progress();
        Progress.Step step = progress.start("backing up app.db");
        now.addAndGet(1_200_000_000L);
        progress.refresh();
        output.info("backup: app_20261123_101500.db");
        step.close();
        String drawn = "backing up app.db  1 s";
        assertEquals("\r" + drawn + "\r" + " ".repeat(drawn.length()) + "\r" + "backup: app_20261123_101500.db" + System.lineSeparator(),
                err.toString());
    }

    @Test
    void noLineWithoutATerminalOrWithQuiet() {
        StringWriter sink = new StringWriter();
        assertSame(Progress.NONE, new Output(new PrintWriter(sink), new PrintWriter(sink), false, false, false).progress());
        assertSame(Progress.NONE, new Output(new PrintWriter(sink), new PrintWriter(sink), false, true, true).progress());
    }

    @Test
    void longDescriptionsAreCutSoTheLineFitsEightyColumns() {
        assertEquals("x".repeat(71) + "...  3 s", ProgressLine.text("x".repeat(100), 0, 0, 3_000_000_000L));
        String restore = ProgressLine.text("copying crystalbudget_20250601_120000-2_emergency-raw.db", 1024L * 1024 * 1024 * 1023,
                1024L * 1024 * 1024 * 512, 125_000_000_000L);
        assertEquals(79, restore.length(), restore);
        assertTrue(restore.endsWith("...  50%  512.0 GiB of 1023.0 GiB  125 s"), restore);
    }
}
