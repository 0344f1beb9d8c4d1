package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One rule for the set every command uses: --migrations DIR, then CRYSTAL_DB_MIGRATIONS, then the
 * set the executable carries; each command that reads a set names it on its first stderr line.
 */
class MigrationSetRuleIT {
    @TempDir
    Path dir;

    private static CrystalDb.Result ok(CrystalDb.Result result) {
        assertEquals(0, result.exitCode(), result::describe);
        return result;
    }

    @Test
    @Timeout(300)
    void everyCommandThatReadsASetNamesItAndWhereItWasGiven() {
        Path m = migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n", "U1__one.sql", "DROP TABLE one;\n");
        String db = dir.resolve("app.db").toString();
        String flag = "migrations: " + m + " (--migrations), head 1, 1 migration (sha ";
        assertTrue(ok(run(dir, "--db", db, "--migrations", m.toString(), "upgrade", "--create", "-y")).migrations().startsWith(flag));
        String line = ok(run(dir, "--db", db, "--migrations", m.toString(), "status")).migrations();
        assertTrue(line.startsWith(flag) && line.matches(".*\\(sha [0-9a-f]{8}\\)"), line);
        for (List<String> command : List.of(List.of("status"), List.of("history"), List.of("verify"), List.of("rehearse"), List.of("lint"),
                List.of("upgrade", "-y"), List.of("stamp", "1"), List.of("upgrade", "--dry-run"), List.of("downgrade", "1", "--dry-run"))) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--db", db, "--migrations", m.toString()), command.stream())
                    .toArray(String[]::new);
            assertEquals(line, ok(run(dir, args)).migrations(), String.join(" ", command));
            CrystalDb.Result fromEnvironment = ok(run(dir, Map.of("CRYSTAL_DB_MIGRATIONS", m.toString()),
                    java.util.stream.Stream.concat(java.util.stream.Stream.of("--db", db), command.stream()).toArray(String[]::new)));
            assertEquals(line.replace("(--migrations)", "(CRYSTAL_DB_MIGRATIONS)"), fromEnvironment.migrations(), fromEnvironment::describe);
        }
        // neither: the set built in, named with its name
        CrystalDb.Result builtIn = ok(run(dir, "lint"));
        assertTrue(builtIn.migrations().startsWith("migrations: built-in \"example\", head "), builtIn::describe);

        // --quiet drops it; --json keeps it on stderr, and stdout one JSON document
        CrystalDb.Result quiet = ok(run(dir, "--db", db, "--migrations", m.toString(), "--quiet", "upgrade", "-y"));
        assertNull(quiet.migrations(), quiet::describe);
        assertEquals("", quiet.stderr() + quiet.stdout());
        CrystalDb.Result json = ok(run(dir, "--db", db, "--migrations", m.toString(), "--json", "status"));
        assertEquals(line, json.migrations());
        assertTrue(json.stdout().startsWith("{") && json.stdout().strip().endsWith("}"), json::describe);
        // commands that read no set say nothing of one
        assertNull(ok(run(dir, "--db", db, "--migrations", m.toString(), "backups")).migrations());
    }

    @Test
    @Timeout(300)
    void newWritesOnlyIntoTheDirectoryItIsGivenAndLintChecksThatSameSet() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        migrations(project.resolve("migrations"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n", "U1__one.sql", "DROP TABLE one;\n");

        // no set given: not ./migrations behind the operator's back, and never into the executable
        CrystalDb.Result refused = run(project, "new", "add two");
        assertEquals(2, refused.exitCode(), refused::describe);
        assertOneCleanErrorLine(refused);
        assertTrue(refused.stderr().contains("new writes migration files into a directory, and the set bundled in this executable cannot be written: "
                + "give --migrations DIR (or set CRYSTAL_DB_MIGRATIONS)"), refused::describe);
        assertEquals(List.of("U1__one.sql", "V1__one.sql"), fileNames(project.resolve("migrations")));

        // the set CRYSTAL_DB_MIGRATIONS names is where new writes and what lint then checks
        Map<String, String> env = Map.of("CRYSTAL_DB_MIGRATIONS", "migrations");
        CrystalDb.Result created = ok(run(project, env, "new", "add two"));
        assertTrue(created.migrations().startsWith("migrations: " + project.resolve("migrations") + " (CRYSTAL_DB_MIGRATIONS), head 1, "),
                created::describe);
        assertEquals(4, fileNames(project.resolve("migrations")).size(), fileNames(project.resolve("migrations")).toString());
        CrystalDb.Result lint = run(project, env, "lint");
        assertEquals(4, lint.exitCode(), lint::describe);
        assertTrue(lint.migrations().contains("(CRYSTAL_DB_MIGRATIONS), head 2, 2 migrations"), lint::describe);
        assertTrue(lint.stdout().contains("not written yet"), lint::describe);
    }
}
