package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.assertUntouched;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.schema;
import static dev.crystaldb.it.CrystalDb.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PRODUCT.md §5: bad input gets one clear line on stderr, no stack trace, the documented exit code,
 * and every file stays byte-identical (only crystal-db's own lock file may appear).
 */
class RefusalsIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void aMissingDatabaseWithoutCreateIsRefusedAndNotCreated() {
        migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Path missing = dir.resolve("missing.db");
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = refused(2, "--db", missing.toString(), "--migrations", "m", "upgrade", "-y");

        assertTrue(result.stderr().contains(missing.toString()) && result.stderr().contains("--create"), result::describe);
        assertFalse(Files.exists(missing));
        assertUntouched(before, dir);
    }

    @Test
    @Timeout(60)
    void aDirectoryAsTheDatabaseIsRefused() throws IOException {
        migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Path directory = Files.createDirectory(dir.resolve("data"));
        Files.writeString(directory.resolve("keep.txt"), "x");
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = refused(2, "--db", directory.toString(), "--migrations", "m", "upgrade", "-y");

        assertTrue(result.stderr().contains("directory"), result::describe);
        assertUntouched(before, dir);
    }

    @Test
    @Timeout(60)
    void aTextFileAsTheDatabaseIsRefused() throws IOException {
        migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Path text = dir.resolve("notes.db");
        Files.writeString(text, "these are my notes, not a database\n".repeat(200), StandardCharsets.UTF_8);
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result upgrade = refused(2, "--db", text.toString(), "--migrations", "m", "upgrade", "-y");
        assertTrue(upgrade.stderr().contains("not an SQLite database"), upgrade::describe);
        refused(2, "--db", text.toString(), "--migrations", "m", "stamp", "1");
        refused(2, "--db", text.toString(), "--migrations", "m", "backup");

        assertUntouched(before, dir);
        assertFalse(Files.exists(dir.resolve("notes.db.crystal-db.lock")), "refused before the lock: no lock file either");
    }

    @Test
    @Timeout(60)
    void anUnknownUpgradeTargetIsRefused() {
        Path db = databaseAt("1", "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n",
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);\n");
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = refused(2, "--db", db.toString(), "--migrations", "m", "upgrade", "99", "-y");

        assertTrue(result.stderr().contains("99"), result::describe);
        assertUntouched(before, dir);
        assertEquals(List.of("1"), appliedVersions(db));
    }

    @Test
    @Timeout(60)
    void aDatabaseAheadOfTheMigrationSetIsRefusedNamingBothVersions() {
        Path db = databaseAt("7", "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n",
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);\n",
                "V7__seven.sql", "CREATE TABLE seven (id INTEGER PRIMARY KEY);\n");
        Path older = migrations(dir.resolve("older"),
                "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n",
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);\n",
                "U2__two.sql", "DROP TABLE two;\n");
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result upgrade = refused(4, "--db", db.toString(), "--migrations", older.toString(), "upgrade", "-y");
        assertTrue(upgrade.stderr().contains("version 7") && upgrade.stderr().contains("migration 2"), upgrade::describe);
        CrystalDb.Result downgrade = refused(4, "--db", db.toString(), "--migrations", older.toString(), "downgrade", "-1", "-y");
        assertTrue(downgrade.stderr().contains("version 7") && downgrade.stderr().contains("migration 2"), downgrade::describe);

        assertUntouched(before, dir);
        assertEquals(List.of("1", "2", "7"), appliedVersions(db));
    }

    @Test
    @Timeout(60)
    void anEditedAppliedMigrationIsRefusedNamingTheFile() throws IOException {
        Path db = databaseAt("1", "V1__accounts.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n",
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);\n");
        Files.writeString(dir.resolve("m/V1__accounts.sql"), "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT);\n");
        List<String> schemaBefore = schema(db);
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = refused(4, "--db", db.toString(), "--migrations", "m", "upgrade", "-y");

        assertTrue(result.stderr().contains("V1__accounts.sql"), result::describe);
        assertUntouched(before, dir);
        assertEquals(List.of("1"), appliedVersions(db));
        assertEquals(schemaBefore, schema(db));
    }

    @Test
    @Timeout(60)
    void aDowngradeWithoutItsUndoScriptIsRefusedNamingTheMissingFile() {
        Path db = databaseAt("2", "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n",
                "U1__one.sql", "DROP TABLE one;\n",
                "V2__add_things.sql", "CREATE TABLE things (id INTEGER PRIMARY KEY);\n");
        List<String> schemaBefore = schema(db);
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = refused(2, "--db", db.toString(), "--migrations", "m", "downgrade", "-1", "-y");

        assertTrue(result.stderr().contains("U2__add_things.sql"), result::describe);
        assertUntouched(before, dir);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertEquals(schemaBefore, schema(db));
    }

    @Test
    @Timeout(60)
    void upgradeDryRunPrintsTheSqlAndChangesNothing() {
        String v2 = "CREATE TABLE dry_run_marker (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'semi;colon');\n";
        Path db = databaseAt("1", "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n", "V2__marker.sql", v2);
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--dry-run");

        assertEquals(0, result.exitCode(), result::describe);
        assertTrue(result.stdout().contains(v2.strip()), result::describe);
        assertTrue(result.stdout().contains("V2__marker.sql"), result::describe);
        assertFalse(result.stdout().contains("CREATE TABLE one"), "an applied migration was listed as pending:\n" + result.describe());
        CrystalDb.assertNoStackTrace(result);
        assertUntouched(before, dir);
        assertEquals(List.of("1"), appliedVersions(db));
    }

    /** Issue 12, item 10: opening a FIFO blocks until a writer comes; it, and a device, are refused before anything opens them. */
    @Test
    @Timeout(60)
    void aFifoOrADeviceAsTheDatabaseIsRefusedAtOnceInsteadOfHanging() throws Exception {
        migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Path fifo = dir.resolve("app.db");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        for (String[] command : List.of(new String[]{"status"}, new String[]{"upgrade", "-y"}, new String[]{"backup"},
                new String[]{"verify"}, new String[]{"upgrade", "--create", "-y"})) {
            List<String> args = new java.util.ArrayList<>(List.of("--db", fifo.toString(), "--migrations", "m"));
            args.addAll(List.of(command));
            CrystalDb.Result result = refused(2, args.toArray(String[]::new));
            assertTrue(result.stderr().contains("is not a regular file (a FIFO, socket or device)"), result::describe);
        }
        refused(2, "--db", "/dev/null", "--migrations", "m", "status");
        refused(2, "--db", "/dev/zero", "--migrations", "m", "upgrade", "-y");
        assertFalse(Files.exists(dir.resolve("app.db.crystal-db.lock")), "refused before the lock");
    }

    /** Issue 12, item 11: an empty file is no database, unless --create says to make one in it. */
    @Test
    @Timeout(60)
    void anEmptyFileIsANewDatabaseOnlyWithCreate() throws Exception {
        migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Path empty = Files.createFile(dir.resolve("app.db"));
        Map<String, String> before = snapshot(dir);
        for (String[] command : List.of(new String[]{"upgrade", "-y"}, new String[]{"status"}, new String[]{"stamp", "1"}, new String[]{"backup"})) {
            List<String> args = new java.util.ArrayList<>(List.of("--db", empty.toString(), "--migrations", "m"));
            args.addAll(List.of(command));
            CrystalDb.Result result = refused(2, args.toArray(String[]::new));
            assertTrue(result.stderr().contains("is empty (0 bytes), not an SQLite database"), result::describe);
        }
        assertUntouched(before, dir);
        ok(dir, "--db", empty.toString(), "--migrations", "m", "upgrade", "--create", "-y");
        assertEquals(List.of("1"), appliedVersions(empty));
    }

    /** Issue 12, item 13: small things that misled. */
    @Test
    @Timeout(60)
    void aMigrationThatIsNotUtf8IsNamedAndAPathWithANewlineIsRefused() throws Exception {
        Path m = migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Files.write(m.resolve("V2__latin1.sql"), "-- caf\u00e9 in Latin-1\nCREATE TABLE two (x);\n".getBytes(StandardCharsets.ISO_8859_1));
        Path db = dir.resolve("app.db");
        CrystalDb.Result latin1 = refused(2, "--db", db.toString(), "--migrations", "m", "upgrade", "--create", "-y");
        assertTrue(latin1.stderr().contains("V2__latin1.sql is not UTF-8 text (line 1, byte 7)"), latin1::describe);
        assertFalse(Files.exists(db));

        Files.delete(m.resolve("V2__latin1.sql"));
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--create", "-y");
        Map<String, String> before = snapshot(dir);
        CrystalDb.Result newline = refused(2, "--db", db.toString(), "--migrations", "m", "--backup-dir", dir.resolve("back\nups").toString(), "backup");
        assertTrue(newline.stderr().contains("contains a control character"), newline::describe);
        assertUntouched(before, dir);
    }

    /** Issue 12, item 13: a damaged page is what verify is for: its check fails (exit 4), it is no error (exit 1). */
    @Test
    @Timeout(60)
    void verifyReportsADamagedPageAsAFailedCheck() throws Exception {
        Path db = databaseAt("1", "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY, pad BLOB);\n"
                + "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) INSERT INTO one SELECT i, randomblob(100) FROM c;\n");
        try (var file = java.nio.channels.FileChannel.open(db, java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[4096]), file.size() / 2 / 4096 * 4096 + 17); // garbage into a table page
        }
        CrystalDb.Result verify = run(dir, "--db", db.toString(), "--migrations", "m", "verify");
        assertEquals(4, verify.exitCode(), verify::describe);
        assertTrue(verify.stdout().contains("FAILED  integrity_check"), verify::describe);
        CrystalDb.assertNoStackTrace(verify);
    }

    /** Runs crystal-db and checks the refusal: the exit code, one clean line on stderr. */
    private CrystalDb.Result refused(int exitCode, String... args) {
        CrystalDb.Result result = run(dir, args);
        assertEquals(exitCode, result.exitCode(), result::describe);
        assertOneCleanErrorLine(result);
        return result;
    }

    /** Writes the set into m/ and brings a new database to version with crystal-db itself (no backups: fresh file). */
    private Path databaseAt(String version, String... namesAndSql) {
        migrations(dir.resolve("m"), namesAndSql);
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", version, "--create", "-q");
        return db;
    }
}
