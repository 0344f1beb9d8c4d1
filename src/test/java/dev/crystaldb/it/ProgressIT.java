package dev.crystaldb.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Long work draws a progress line on stderr when stderr is a terminal (a real pseudo-terminal from
 * util-linux's script(1)), and nothing of the kind into a pipe or with --quiet. The work: one
 * migration that keeps SQLite busy for a few seconds.
 */
class ProgressIT {
    private static final long ROWS = 1_600_000;

    @TempDir
    Path dir;

    private Path slowMigrations() {
        return CrystalDb.migrations(dir.resolve("migrations"), "V1__slow_fill.sql",
                "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);\n" + CrystalDb.slowInsert("t", ROWS * 5));
    }

    @Test
    @Timeout(180)
    void aSlowUpgradeShowsItsStepOnATerminal() throws Exception {
        Path migrations = slowMigrations();
        Path db = dir.resolve("terminal.db");

        String terminal = underScript(CrystalDb.executable() + " --db " + db + " --migrations " + migrations + " upgrade --create --yes");

        // a drawn line starts with a carriage return not followed by a newline (the terminal turns "\n" into "\r\n")
        assertTrue(terminal.contains("\rapplying 1 slow fill (1 of 1)  "), "no progress line on a terminal:\n" + visible(terminal));
        assertTrue(terminal.contains("database is now at version 1"), visible(terminal));
        assertEquals(List.of("1"), CrystalDb.appliedVersions(db));
        assertEquals(ROWS, CrystalDb.count(db, "t"));
    }

    @Test
    @Timeout(180)
    void noProgressIntoAPipeOrWithQuiet() throws Exception {
        Path migrations = slowMigrations();
        Path piped = dir.resolve("piped.db");
        CrystalDb.Result result = CrystalDb.ok(dir, "--db", piped.toString(), "--migrations", migrations.toString(), "upgrade", "--create", "--yes");
        assertFalse(result.stderr().contains("\r"), "carriage returns in stderr that is a pipe:\n" + result.describe());
        assertFalse(result.stderr().contains("(1 of 1)"), result.describe());
        assertEquals(List.of("1"), CrystalDb.appliedVersions(piped));

        Path quiet = dir.resolve("quiet.db");
        String terminal = underScript(CrystalDb.executable() + " --quiet --db " + quiet + " --migrations " + migrations + " upgrade --create --yes");
        assertFalse(terminal.contains("(1 of 1)"), "--quiet on a terminal still drew progress:\n" + visible(terminal));
        assertEquals(List.of("1"), CrystalDb.appliedVersions(quiet));
        assertEquals(ROWS, CrystalDb.count(quiet, "t"));
    }

    /** Runs a command line with stdin, stdout and stderr on a pseudo-terminal; returns what it printed there. */
    private String underScript(String command) throws Exception {
        File script = new File("/usr/bin/script");
        Assumptions.assumeTrue(script.canExecute(), "script(1) from util-linux is not installed");
        List<String> argv = new ArrayList<>(List.of(script.getPath(), "-q", "-e", "-c", command, "/dev/null"));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        for (String variable : List.of("CRYSTAL_DB", "CRYSTAL_DB_MIGRATIONS", "CRYSTAL_DB_BACKUP_DIR", "CRYSTAL_DB_LOCK_TIMEOUT")) {
            builder.environment().remove(variable);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(170, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("script -c '" + command + "' did not finish");
        }
        Assumptions.assumeTrue(process.exitValue() == 0 || output.contains("crystal-db"),
                "script(1) cannot open a pseudo-terminal here: " + output);
        assertEquals(0, process.exitValue(), visible(output));
        return output;
    }

    private static String visible(String text) {
        return text.replace("\r\n", "\n").replace("\r", "<CR>");
    }
}
