package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --help shows what the command itself takes first; the options every command takes follow under "Global options:". */
class HelpLayoutIT {
    @TempDir
    Path dir;

    /** The option names of one section of the help, in order: from its heading to the next heading. */
    private static List<String> section(String help, String heading) {
        List<String> lines = help.lines().toList();
        int start = lines.indexOf(heading);
        assertTrue(start >= 0, "no '" + heading + "' section in:\n" + help);
        return lines.subList(start + 1, lines.size()).stream()
                .takeWhile(line -> line.startsWith(" "))
                .map(String::strip)
                .filter(line -> line.startsWith("-"))
                .map(line -> line.replaceAll("^-\\w, ", "").split("[ =]")[0])
                .toList();
    }

    @Test
    @Timeout(60)
    void rollbackHelpShowsItsOwnOptionsFirst() {
        String help = ok(dir, "rollback", "--help").stdout();
        assertEquals(List.of("--latest", "--before-upgrade", "--service", "--help", "--version"), section(help, "Options:"), help);
        List<String> global = section(help, "Global options:");
        assertEquals(List.of("--db", "--migrations", "--backup-dir", "--json", "--quiet", "--yes", "--lock-timeout"), global.subList(0, 7), help);
        assertTrue(help.indexOf("--latest") < help.indexOf("--db="), "own options before the global ones:\n" + help);
        assertTrue(help.lines().findFirst().orElseThrow().contains("[--latest]"), "the synopsis names the own options:\n" + help);
        assertFalse(help.lines().findFirst().orElseThrow().contains("--db"), "the synopsis leaves the global ones to their section:\n" + help);
    }

    @Test
    @Timeout(60)
    void everyCommandSeparatesItsOwnOptionsFromTheGlobalOnes() {
        for (String command : List.of("status", "history", "upgrade", "downgrade", "stamp", "backup", "backups", "verify", "rehearse", "lint", "new",
                "repair", "import-alembic")) {
            String help = ok(dir, command, "--help").stdout();
            assertFalse(section(help, "Options:").contains("--db"), command + " --help:\n" + help);
            assertTrue(section(help, "Global options:").contains("--db"), command + " --help:\n" + help);
        }
        String top = ok(dir, "--help").stdout();
        assertTrue(section(top, "Global options (before or after the command):").contains("--lock-timeout"), top);
    }

    /** The native executable carries SQLite's library inside itself: --native-tmpdir does nothing there, so its help does not offer it. */
    @Test
    @Timeout(60)
    void nativeTmpdirIsOfferedOnlyWhereItDoesSomething() {
        String top = ok(dir, "--help").stdout();
        String upgrade = ok(dir, "upgrade", "--help").stdout();
        if (CrystalDb.isNative()) {
            assertFalse(top.contains("--native-tmpdir"), top);
            assertFalse(upgrade.contains("--native-tmpdir"), upgrade);
        } else {
            assertTrue(section(top, "Global options (before or after the command):").contains("--native-tmpdir"), top);
            assertTrue(section(upgrade, "Global options:").contains("--native-tmpdir"), upgrade);
        }
        // accepted by both builds, so one unit file serves either
        CrystalDb.Result status = run(dir, "--native-tmpdir", dir.toString(), "--db", dir.resolve("app.db").toString(), "upgrade", "--create", "-q");
        assertEquals(0, status.exitCode(), status::describe);
    }
}
