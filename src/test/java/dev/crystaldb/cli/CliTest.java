package dev.crystaldb.cli;

import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as an operator types it: exit codes, stdout, stderr, and the files afterwards. */
class CliTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("budget.db");
    }

    private static void assertOneLineError(Cli.Run run, int exit, String fragment) {
        assertEquals(exit, run.exit(), run.toString());
        assertEquals(1, run.err().lines().count(), run.toString());
        assertTrue(run.err().startsWith("crystal-db: "), run.toString());
        assertTrue(run.err().contains(fragment), run.toString());
        assertFalse(run.err().contains("Exception"), run.toString());
    }

    private List<String> filesInDir() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void upgradeCreatesReportsAndIsANoOpTheSecondTime() throws Exception {
        Cli.Run first = Cli.run("--db", db().toString(), "upgrade", "--create");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().contains("database is now at version 5"), first.toString());
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db()));
        assertFalse(Files.exists(dir.resolve("backups")), "nothing to back up in a new database");

        Cli.Run again = Cli.run("upgrade", "--db", db().toString());
        assertEquals(0, again.exit(), again.toString());
        assertEquals("database is up to date at version 5\n", again.out());
        assertFalse(Files.exists(dir.resolve("backups")), "no backup when nothing is pending");
    }

    @Test
    void upgradeBacksUpFirstWhenSomethingIsPending() throws Exception {
        assertEquals(0, Cli.run("--db", db().toString(), "upgrade", "2", "--create").exit());
        TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('a@example.org', 'Anna')");
        Cli.run("--db", db().toString(), "upgrade");
        try (Stream<Path> backups = Files.list(dir.resolve("backups"))) {
            List<Path> files = backups.toList();
            assertEquals(1, files.size());
            assertTrue(files.get(0).getFileName().toString().matches("budget_\\d{8}_\\d{6}_pre-upgrade\\.db"));
            assertEquals(List.of("1:1", "2:1"), TestDb.history(files.get(0)));
            assertEquals(List.of("Anna"), TestDb.strings(files.get(0), "SELECT name FROM users"));
        }
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db()));
        assertEquals(List.of("1"), TestDb.strings(db(), "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'shared_budget_id'"));
        Cli.Run down = Cli.run("--db", db().toString(), "downgrade", "-1", "--no-backup");
        assertEquals(0, down.exit(), down.toString());
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1"), TestDb.history(db()), "the downgrade ran");
        assertEquals(List.of("0"), TestDb.strings(db(), "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'shared_budget_id'"),
                "U5 dropped the column");
        assertEquals(List.of("Anna"), TestDb.strings(db(), "SELECT name FROM users"));
        try (Stream<Path> backups = Files.list(dir.resolve("backups"))) {
            assertEquals(1, backups.count(), "--no-backup skips the backup");
        }
    }

    @Test
    void refusalsAreOneLineWithTheDocumentedCodeAndChangeNothing() throws Exception {
        assertOneLineError(Cli.run("--db", db().toString(), "upgrade"), 2, "pass --create");
        assertEquals(List.of(), filesInDir(), "nothing created");

        assertOneLineError(Cli.run("--db", dir.toString(), "status"), 2, "is a directory");

        Path text = Files.writeString(dir.resolve("notes.db"), "this is not a database\n");
        assertOneLineError(Cli.run("--db", text.toString(), "upgrade"), 2, "is not an SQLite database");
        assertEquals("this is not a database\n", Files.readString(text));

        Cli.run("--db", db().toString(), "upgrade", "3", "--create");
        String before = TestDb.sha256(db());
        assertOneLineError(Cli.run("--db", db().toString(), "upgrade", "42"), 2, "unknown version '42'");
        assertOneLineError(Cli.run("--db", db().toString(), "downgrade", "banana"), 2, "unknown version 'banana'");
        assertOneLineError(Cli.run("--db", db().toString(), "stamp", "1.5"), 2, "unknown version '1.5'");
        assertOneLineError(Cli.run("--db", db().toString(), "upgrade", "--frobnicate"), 2, "Unknown option");
        assertOneLineError(Cli.run("--db", db().toString(), "--lock-timeout", "soon", "status"), 2, "--lock-timeout");
        assertOneLineError(Cli.run("--db", db().toString(), "--migrations", dir.resolve("nope").toString(), "status"), 2, "does not exist");
        assertOneLineError(Cli.run("--db", "sqlite:budget.db", "status"), 2, "sqlite:////absolute/path");
        assertEquals(before, TestDb.sha256(db()));
    }

    @Test
    void dryRunPrintsTheSqlAndLeavesTheFileByteIdentical() throws Exception {
        Cli.run("--db", db().toString(), "upgrade", "1", "--create");
        String before = TestDb.sha256(db());
        Cli.Run up = Cli.run("--db", db().toString(), "upgrade", "--dry-run");
        assertEquals(0, up.exit(), up.toString());
        assertTrue(up.out().contains("-- V2__income_sources.sql\n"), up.out());
        assertTrue(up.out().contains("CREATE TABLE shared_budgets"), up.out());
        Cli.Run down = Cli.run("--db", db().toString(), "downgrade", "base", "--dry-run");
        assertTrue(down.out().contains("DROP TABLE users;"), down.out());
        assertEquals(before, TestDb.sha256(db()));
        assertFalse(Files.exists(dir.resolve("backups")));

        Path fresh = dir.resolve("fresh.db");
        assertEquals(0, Cli.run("--db", fresh.toString(), "upgrade", "--create", "--dry-run").exit());
        assertFalse(Files.exists(fresh), "--dry-run --create creates nothing");
    }

    @Test
    void statusJsonAndCheck() throws Exception {
        Cli.run("--db", db().toString(), "upgrade", "3", "--create");
        Cli.Run status = Cli.run("--db", db().toString(), "status", "--json");
        assertEquals(0, status.exit());
        assertTrue(status.out().contains("\"current_version\": \"3\""), status.out());
        assertTrue(status.out().contains("\"pending_count\": 2"), status.out());
        assertTrue(status.out().contains("\"pending\": [\n    \"4\",\n    \"5\"\n  ]"), status.out());
        assertEquals(4, Cli.run("--db", db().toString(), "status", "--check").exit());
        assertEquals("", Cli.run("--db", db().toString(), "-q", "status", "--check").out());
        Cli.run("--db", db().toString(), "upgrade");
        assertEquals(0, Cli.run("--db", db().toString(), "current", "--check").exit());
    }

    @Test
    void jsonErrorsAreOneDocumentOnStdout() {
        Cli.Run run = Cli.run("--json", "--db", db().toString(), "status");
        assertEquals(2, run.exit());
        assertTrue(run.out().startsWith("{\n  \"error\": {\n    \"code\": 2,\n    \"message\": \"database "), run.out());
    }

    @Test
    void statusMentionsAlembicAndRefusesToUpgradeAnUnversionedDatabase() throws Exception {
        TestDb.execute(db(), "CREATE TABLE users(id INTEGER PRIMARY KEY)", "CREATE TABLE alembic_version(version_num VARCHAR(32))",
                "INSERT INTO alembic_version VALUES ('crystaldb_example_2')");
        String before = TestDb.sha256(db());
        Cli.Run status = Cli.run("--db", db().toString(), "status");
        assertTrue(status.out().contains("alembic_version: revision crystaldb_example_2 (version 2): adopt the database with `crystal-db stamp --detect`\n"),
                status.out());
        assertOneLineError(Cli.run("--db", db().toString(), "upgrade"), 4, "crystal-db stamp --detect");
        assertEquals(before, TestDb.sha256(db()));
    }

    @Test
    void downgradeMinusOneWorksAsTypedWithAlembic() throws Exception {
        Cli.run("--db", db().toString(), "upgrade", "--create");
        Cli.Run run = Cli.run("--db", db().toString(), "downgrade", "-1");
        assertEquals(0, run.exit(), run.toString());
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1"), TestDb.history(db()));
    }

    @Test
    void historyShowsStatesAndUndo() throws Exception {
        Cli.run("--db", db().toString(), "upgrade", "2", "--create");
        Cli.Run run = Cli.run("--db", db().toString(), "history");
        assertTrue(run.out().startsWith("VERSION  DESCRIPTION"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("2\\s+income sources\\s+applied\\s+\\S+ \\S+Z\\s+\\d+ ms\\s+yes")), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("5\\s+add shared budget to users\\s+pending\\s+yes")), run.out());
    }

    @Test
    void newCreatesTheNextPair() throws Exception {
        Path m = TestDb.copyBundled(dir.resolve("m"));
        Cli.Run run = Cli.run("--migrations", m.toString(), "new", "Add avatar URL", "to users");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(Files.exists(m.resolve("V6__add_avatar_url_to_users.sql")));
        assertTrue(Files.exists(m.resolve("U6__add_avatar_url_to_users.sql")));
        assertOneLineError(Cli.run("--migrations", m.toString(), "new", "!!!"), 2, "has no letters or digits");
    }

    @Test
    void backupCommandWritesAVerifiedCopy() throws Exception {
        Cli.run("--db", db().toString(), "upgrade", "--create");
        Path backups = dir.resolve("elsewhere");
        Cli.Run run = Cli.run("--db", db().toString(), "backup", "--backup-dir", backups.toString(), "--json");
        assertEquals(0, run.exit(), run.toString());
        try (Stream<Path> files = Files.list(backups)) {
            Path copy = files.findFirst().orElseThrow();
            assertTrue(run.out().contains(copy.toString()));
            assertEquals(TestDb.schema(db()), TestDb.schema(copy));
        }
        assertEquals("", Cli.run("--db", db().toString(), "backup", "-q").out());
    }

    @Test
    void versionNamesToolMigrationsAndSqlite() {
        Cli.Run run = Cli.run("--version");
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("\nmigrations: built-in \"example\", head 5, 5 migrations (sha " + MigrationSet.builtIn().sha256().substring(0, 8) + ")\n"),
                run.out());
        assertTrue(run.out().matches("(?s).*SQLite 3\\.\\d+\\.\\d+.*"), run.out());
    }

    @Test
    void aRangeDryRunPrintsTheSqlOfThatRangeWithoutADatabase() throws Exception {
        Cli.Run up = Cli.run("upgrade", "2:4", "--dry-run");
        assertEquals(0, up.exit(), up.toString());
        assertTrue(up.out().startsWith("-- V3__add_date_to_income.sql\n"), up.out());
        assertTrue(up.out().contains("\n-- V4__shared_budget_support.sql\n"), up.out());
        assertFalse(up.out().contains("V2__") || up.out().contains("V5__"), up.out());
        Cli.Run all = Cli.run("upgrade", "base:head", "--dry-run", "--json");
        assertTrue(all.out().contains("\"scripts\": [\n    \"V1__initial_schema.sql\",\n    \"V2__income_sources.sql\""), all.out());

        Cli.Run down = Cli.run("downgrade", "5:3", "--dry-run");
        assertEquals(0, down.exit(), down.toString());
        assertTrue(down.out().startsWith("-- U5__add_shared_budget_to_users.sql\n"), down.out());
        assertTrue(down.out().contains("\n-- U4__shared_budget_support.sql\n"), down.out());
        assertFalse(down.out().contains("U3__"), down.out());
        assertTrue(Cli.run("downgrade", "head:base", "--dry-run").out().endsWith("DROP TABLE users;\n\n"));

        Path db = dir.resolve("never.db");
        assertEquals(0, Cli.run("--db", db.toString(), "upgrade", "base:2", "--dry-run").exit());
        assertEquals(List.of(), filesInDir(), "no database, no lock file");
        assertOneLineError(Cli.run("--db", db.toString(), "upgrade", "2:4"), 2, "upgrade 2:4 only prints the SQL of a range: add --dry-run");
        assertOneLineError(Cli.run("downgrade", "5:3"), 2, "downgrade 5:3 only prints the SQL of a range: add --dry-run");
        assertOneLineError(Cli.run("upgrade", "4:2", "--dry-run"), 2, "FROM must be below TO (4 is not below 2); to go back, use downgrade 4:2 --dry-run");
        assertOneLineError(Cli.run("downgrade", "2:4", "--dry-run"), 2, "FROM must be above TO");
        assertOneLineError(Cli.run("upgrade", "2:9", "--dry-run"), 2, "unknown version '9'");
        assertOneLineError(Cli.run("upgrade", "2:", "--dry-run"), 2, "write the range as FROM:TO");
        assertEquals(List.of(), filesInDir());

        Path m = Files.createDirectories(dir.resolve("m"));
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a (x);\n");
        TestDb.write(m, "V2__b.sql", "CREATE TABLE b (x);\n");
        TestDb.write(m, "U2__b.sql", "DROP TABLE b;\n");
        assertOneLineError(Cli.run("--migrations", m.toString(), "downgrade", "2:base", "--dry-run"), 2, "no undo script for version 1: add U1__a.sql");
    }

    @Test
    void aMigrationThatFailsNamesItsFileAndTheLineOfTheFailingStatement() throws Exception {
        Path m = Files.createDirectories(dir.resolve("m"));
        TestDb.write(m, "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT);\n");
        TestDb.write(m, "U1__t.sql", "DROP TABLE t;\n");
        TestDb.write(m, "V2__bad.sql", "-- second\nPRAGMA foreign_keys=OFF;\nBEGIN;\nINSERT INTO t (x) VALUES (1);\n\nUPDATE t\n   SET nope = 1;\nCOMMIT;\n");
        TestDb.write(m, "U2__bad.sql", "-- undo\n\nDELETE FROM nope;\n");
        assertEquals(0, Cli.run("--db", db().toString(), "--migrations", m.toString(), "upgrade", "1", "--create").exit());
        String before = TestDb.sha256(db());
        Cli.Run up = Cli.run("--db", db().toString(), "--migrations", m.toString(), "upgrade", "--no-backup");
        assertEquals(1, up.exit(), up.toString());
        assertTrue(up.err().endsWith("crystal-db: V2__bad.sql line 6: [SQLITE_ERROR] SQL error or missing database (no such column: nope); "
                + "nothing was applied (the whole upgrade rolled back)\n"), up.err());
        assertEquals(before, TestDb.sha256(db()));

        // V2 fails on a scratch database too, so its schema is unknown: stamping it needs --force
        Cli.Run unchecked = Cli.run("--db", db().toString(), "--migrations", m.toString(), "stamp", "2");
        assertOneLineError(unchecked, 4, "the schema of version 2 cannot be worked out (V2__bad.sql line 6 fails on a scratch database: ");
        assertEquals(before, TestDb.sha256(db()));
        Cli.Run forced = Cli.run("--db", db().toString(), "--migrations", m.toString(), "stamp", "2", "--force");
        assertEquals(0, forced.exit(), forced.toString());
        assertTrue(forced.err().contains("warning: --force: stamping version 2 without checking the live schema: the schema of version 2 cannot be worked out"),
                forced.err());
        Cli.Run down = Cli.run("--db", db().toString(), "--migrations", m.toString(), "downgrade", "-1", "--no-backup");
        assertEquals(1, down.exit(), down.toString());
        assertTrue(down.err().endsWith("crystal-db: U2__bad.sql line 3: [SQLITE_ERROR] SQL error or missing database (no such table: nope); "
                + "nothing was undone (the whole downgrade rolled back)\n"), down.err());
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db()));
    }
}
