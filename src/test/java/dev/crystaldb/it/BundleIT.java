package dev.crystaldb.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.runFile;
import static dev.crystaldb.it.CrystalDb.sha256;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `bundle` writes a copy of the executable carrying a migration set, which runs on its own from
 * anywhere: no --migrations, no CRYSTAL_DB_MIGRATIONS. A damaged copy is refused (exit 4) before
 * it touches a database; a set that fails lint is never bundled.
 */
class BundleIT {
    /** The size of the trailer after the appended archive (MigrationArchive.TRAILER_SIZE). */
    private static final int TRAILER = 72;

    @TempDir
    Path dir;
    /** Where bundles are written: elsewhere than the executable, as on a user's machine. */
    Path out;

    @BeforeEach
    void outputDirectory() throws IOException {
        out = Files.createDirectories(dir.resolve("out"));
    }

    private Path budgetSet() {
        return migrations(dir.resolve("budget"),
                "V1__accounts.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
                "U1__accounts.sql", "DROP TABLE accounts;\n",
                "V2__entries.sql", "CREATE TABLE entries (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), amount NUMERIC);\n",
                "U2__entries.sql", "DROP TABLE entries;\n");
    }

    private static CrystalDb.Result ok(CrystalDb.Result result) {
        assertEquals(0, result.exitCode(), result::describe);
        return result;
    }

    private Path bundle(Path set, String name, String... more) {
        Path file = out.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("bundle", "--migrations", set.toString(), "-o", file.toString()));
        args.addAll(List.of(more));
        ok(run(dir, args.toArray(String[]::new)));
        return file;
    }

    @Test
    @Timeout(300)
    void theBundleRunsOnAFreshDatabaseWithItsOwnSetAndNamesIt() throws Exception {
        Path set = budgetSet();
        CrystalDb.Result bundled = ok(run(dir, "bundle", "--migrations", set.toString(), "-o", out.resolve("budget-db").toString()));
        Path file = out.resolve("budget-db");
        assertTrue(bundled.stdout().startsWith("wrote " + file + " ("), bundled::describe);
        assertTrue(bundled.stdout().contains("bundled \"budget\", head 2, 2 migrations (sha "), bundled::describe);
        assertTrue(bundled.stdout().contains("every undo script restores the schema before its migration"), bundled::describe);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("budget-db"), fileNames(out), "no temporary file left");
        // the native executable carries its libraries, and so does its copy: nothing to copy beside it
        assertFalse(bundled.stderr().contains("crystal-db: warning"), bundled::describe);

        // the set the directory has, by the same checksum: what `--migrations budget` says of it
        String directorySet = ok(run(dir, "--migrations", set.toString(), "lint")).migrations();
        String sha = directorySet.substring(directorySet.indexOf("(sha "));
        String named = "migrations: bundled \"budget\", head 2, 2 migrations " + sha;

        // run elsewhere, with no set given: the bundle's own
        Path server = Files.createDirectories(dir.resolve("server"));
        Path db = server.resolve("app.db");
        CrystalDb.Result upgrade = ok(runFile(file, server, Map.of(), "--db", db.toString(), "upgrade", "--create", "-y"));
        assertEquals(named, upgrade.migrations(), upgrade::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertTrue(tableExists(db, "entries"));

        CrystalDb.Result status = ok(runFile(file, server, Map.of(), "--db", db.toString(), "status"));
        assertTrue(status.stdout().contains("migrations:      bundled \"budget\", head 2, 2 migrations " + sha + "\n"), status::describe);
        CrystalDb.Result json = ok(runFile(file, server, Map.of(), "--db", db.toString(), "status", "--json"));
        assertTrue(json.stdout().contains("\"name\": \"budget\",\n    \"source\": \"appended\",\n    \"count\": 2,"), json::describe);
        CrystalDb.Result version = ok(runFile(file, server, Map.of(), "--version"));
        assertTrue(version.stdout().contains("\n" + named + "\n"), version::describe);

        // the executable itself still carries its built-in set
        assertTrue(ok(run(dir, "--version")).stdout().contains("\nmigrations: built-in \"example\", head "));
    }

    @Test
    @Timeout(300)
    void bundlingABundleReplacesItsSetAndNameGivesTheName() throws Exception {
        Path set = budgetSet();
        Path first = bundle(set, "first");
        Path larger = migrations(dir.resolve("larger"), "V1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n",
                "V2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n", "V3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n");
        Path fromOriginal = bundle(larger, "from-original", "--name", "shop");
        ok(runFile(first, dir, Map.of(), "bundle", "--migrations", larger.toString(), "--name", "shop", "-o", out.resolve("from-bundle").toString()));
        Path fromBundle = out.resolve("from-bundle");
        assertEquals(sha256(fromOriginal), sha256(fromBundle), "the bundle of a bundle carries the old set too, or differs otherwise");

        CrystalDb.Result version = ok(runFile(fromBundle, dir, Map.of(), "--version"));
        assertTrue(version.stdout().contains("\nmigrations: bundled \"shop\", head 3, 3 migrations (sha "), version::describe);
        Path db = dir.resolve("shop.db");
        ok(runFile(fromBundle, dir, Map.of(), "--db", db.toString(), "upgrade", "--create", "-y"));
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));
    }

    @Test
    @Timeout(300)
    void aDamagedTrailerOrArchiveIsExit4AndTheDatabaseIsNotTouched() throws Exception {
        Path set = budgetSet();
        Path good = bundle(set, "good");
        Path db = dir.resolve("app.db");
        ok(run(dir, "--db", db.toString(), "--migrations", set.toString(), "upgrade", "1", "--create", "-y"));
        String before = sha256(db);
        long size = Files.size(good);

        // the last byte (the trailer's closing magic), a byte of the archive length, the first magic byte, a byte of the archive
        Map<String, Long> damages = Map.of("trailer end", size - 1, "archive length", size - TRAILER + 20, "trailer start", size - TRAILER,
                "archive", size - TRAILER - 5);
        for (Map.Entry<String, Long> damage : damages.entrySet()) {
            Path bad = out.resolve("bad");
            Files.copy(good, bad, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            flipByte(bad, damage.getValue());
            CrystalDb.Result upgrade = runFile(bad, dir, Map.of(), "--db", db.toString(), "upgrade", "-y");
            assertEquals(4, upgrade.exitCode(), () -> damage.getKey() + ": " + upgrade.describe());
            assertOneCleanErrorLine(upgrade);
            assertTrue(upgrade.stderr().contains("the migration set appended to " + bad + " cannot be used: "), upgrade::describe);
            assertTrue(upgrade.stderr().contains("`crystal-db bundle`"), upgrade::describe);
            assertEquals(before, sha256(db), damage.getKey() + ": the database changed");
            assertEquals(List.of("1"), appliedVersions(db));
            assertFalse(Files.exists(dir.resolve("backups")), "no backup was taken");

            CrystalDb.Result version = runFile(bad, dir, Map.of(), "--version");
            assertEquals(4, version.exitCode(), () -> damage.getKey() + ": " + version.describe());
        }
        // the undamaged bundle upgrades the same database
        ok(runFile(good, dir, Map.of(), "--db", db.toString(), "upgrade", "-y"));
        assertEquals(List.of("1", "2"), appliedVersions(db));
    }

    @Test
    @Timeout(300)
    void aSetThatFailsLintIsRefusedAndNothingIsWritten() {
        // the undo leaves the index behind: the round trip proves it does not restore the schema
        Path broken = migrations(dir.resolve("broken"),
                "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT);\n",
                "V2__index.sql", "CREATE INDEX ix_t_x ON t (x);\nALTER TABLE t ADD COLUMN y TEXT;\n",
                "U2__index.sql", "ALTER TABLE t DROP COLUMN y;\n");
        CrystalDb.Result refused = run(dir, "bundle", "--migrations", broken.toString(), "-o", out.resolve("broken-db").toString());
        assertEquals(4, refused.exitCode(), refused::describe);
        assertTrue(refused.stderr().contains("error    U2__index.sql does not restore the schema before V2__index.sql"), refused::describe);
        assertTrue(refused.errorLines().get(0).startsWith("crystal-db: lint found 1 error(s) in " + broken + "; nothing written"), refused::describe);
        assertEquals(List.of(), fileNames(out), "a file was written");

        Path misnamed = migrations(dir.resolve("misnamed"), "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n", "1_fix.sql", "SELECT 1;\n");
        CrystalDb.Result badName = run(dir, "bundle", "--migrations", misnamed.toString(), "-o", out.resolve("misnamed-db").toString());
        assertEquals(4, badName.exitCode(), badName::describe);
        assertTrue(badName.stderr().contains("1_fix.sql is not a migration name"), badName::describe);
        assertEquals(List.of(), fileNames(out), "a file was written");
    }

    @Test
    @Timeout(300)
    void anExistingFileIsReplacedOnlyWithForce() throws Exception {
        Path set = budgetSet();
        Path file = Files.writeString(out.resolve("budget-db"), "keep me\n");
        CrystalDb.Result refused = run(dir, "bundle", "--migrations", set.toString(), "-o", file.toString());
        assertEquals(2, refused.exitCode(), refused::describe);
        assertOneCleanErrorLine(refused);
        assertTrue(refused.stderr().contains(file + " exists: give another -o, or --force to replace it"), refused::describe);
        assertEquals("keep me\n", Files.readString(file));

        ok(run(dir, "bundle", "--migrations", set.toString(), "-o", file.toString(), "--force"));
        CrystalDb.Result version = ok(runFile(file, dir, Map.of(), "--version"));
        assertTrue(version.stdout().contains("\nmigrations: bundled \"budget\", head 2, "), version::describe);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile data = new RandomAccessFile(file.toFile(), "rw")) {
            data.seek(position);
            int value = data.read();
            data.seek(position);
            data.write(value ^ 0x5a);
        }
    }
}
