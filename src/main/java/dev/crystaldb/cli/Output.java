package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.progress.Progress;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The one output formatter. Results go to stdout (aligned text, or exactly one JSON document with
 * --json); progress, notices and errors go to stderr. --quiet prints nothing on success. Long
 * work draws a progress line on stderr only when stderr is a terminal (never for cron, the journal
 * or a pipe) and not with --quiet. When stderr is the journal, each stderr line starts with its
 * syslog priority (sd-daemon's {@code <3>} errors, {@code <4>} warnings, {@code <5>} what retention
 * deleted, {@code <6>} notices), so
 * {@code journalctl -p err} finds the failures.
 */
public final class Output {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean quiet;
    private final boolean journal;
    private final Object printing = new Object();
    private final ProgressLine progressLine;

    Output(PrintWriter out, PrintWriter err, boolean json, boolean quiet) {
        this(out, err, json, quiet, false);
    }

    Output(PrintWriter out, PrintWriter err, boolean json, boolean quiet, boolean stderrIsTerminal) {
        this(out, err, json, quiet, stderrIsTerminal, false);
    }

    Output(PrintWriter out, PrintWriter err, boolean json, boolean quiet, boolean stderrIsTerminal, boolean stderrIsJournal) {
        this(out, err, json, quiet, stderrIsTerminal, stderrIsJournal, System::nanoTime, true);
    }

    /** refreshing: whether a thread redraws the line (tests draw it themselves, on their own clock). */
    Output(PrintWriter out, PrintWriter err, boolean json, boolean quiet, boolean stderrIsTerminal, boolean stderrIsJournal,
            LongSupplier nanoTime, boolean refreshing) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.quiet = quiet;
        this.journal = stderrIsJournal;
        this.progressLine = stderrIsTerminal && !quiet ? new ProgressLine(err, nanoTime, printing, refreshing) : null;
    }

    /** Where the core reports long work. */
    public Progress progress() {
        return progressLine == null ? Progress.NONE : progressLine;
    }

    private void clearProgress() {
        if (progressLine != null) {
            progressLine.clear();
        }
    }

    /** Prints a result: the JSON document in --json mode, the text otherwise (unless --quiet). */
    public void result(Map<String, Object> document, String text) {
        synchronized (printing) {
            clearProgress(); // stdout and stderr are often the same terminal
            if (json) {
                out.println(Json.write(document));
            } else if (!quiet && text != null && !text.isEmpty()) {
                out.print(text.endsWith("\n") ? text : text + "\n");
            }
            out.flush();
        }
    }

    /** A notice on stderr (what is about to happen, what was done); silent with --quiet. */
    public void info(String message) {
        if (!quiet) {
            printErr(6, message);
        }
    }

    /**
     * A notice that is printed even with --quiet: what the run deleted (retention), which must
     * reach the log of every run; in the journal at priority notice.
     */
    public void notice(String message) {
        printErr(5, message);
    }

    /** A warning on stderr: done, but something the operator should look at; silent with --quiet. */
    public void warning(String message) {
        if (!quiet) {
            printErr(4, "crystal-db: warning: " + message);
        }
    }

    /** An error: one line on stderr, and in --json mode the error document on stdout. */
    public void error(ExitCode code, String message) {
        printErr(3, "crystal-db: " + message);
        if (json) {
            Map<String, Object> inner = new LinkedHashMap<>();
            inner.put("code", code.code);
            inner.put("message", message);
            out.println(Json.write(Map.of("error", inner)));
            out.flush();
        }
    }

    private void printErr(int priority, String message) {
        synchronized (printing) {
            clearProgress();
            for (String line : message.split("\\R", -1)) {
                err.println(journal ? "<" + priority + ">" + line : line);
            }
            err.flush();
        }
    }

    /** Lines of "label: value" with the values aligned. */
    public static String fields(Map<String, String> fields) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        StringBuilder text = new StringBuilder();
        fields.forEach((label, value) -> text.append(pad(label + ":", width)).append(' ').append(value).append('\n'));
        return text.toString();
    }

    /** An aligned table with a header row. */
    public static String table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i]) + "  ");
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    /** An ordered map for JSON documents, with a fluent put. */
    public static Doc doc() {
        return new Doc();
    }

    /** An insertion-ordered JSON object. */
    public static final class Doc extends LinkedHashMap<String, Object> {
        public Doc with(String key, Object value) {
            put(key, value);
            return this;
        }
    }
}
