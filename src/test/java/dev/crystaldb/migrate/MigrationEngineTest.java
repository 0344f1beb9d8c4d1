package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.support.RecordingProgress;
import dev.crystaldb.support.TestDb;
import dev.crystaldb.support.Units;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine on real SQLite files: bundled set and fixture sets written into a temp directory. */
class MigrationEngineTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("app.db");
    }

    private MigrationEngine engine(MigrationSet set) {
        return new MigrationEngine(SqliteDatabase.creating(db(), Duration.ofSeconds(2)), set.requireValid());
    }

    private MigrationEngine engine(Path migrations) {
        return engine(MigrationSet.fromDirectory(migrations));
    }

    private UpgradeResult upgrade(MigrationEngine engine, String target) {
        return Units.upgrade(engine, target);
    }

    private UpgradeResult downgrade(MigrationEngine engine, String target) {
        return Units.downgrade(engine, target);
    }

    private CrystalDbException refused(ExitCode code, Runnable action) {
        CrystalDbException error = assertThrows(CrystalDbException.class, action::run);
        assertEquals(code, error.exitCode(), error.getMessage());
        return error;
    }

    @Test
    void roundTripMatchesTheSameSqlAppliedBySqlite3() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/sqlite3").canExecute(), "sqlite3 CLI not installed (apt-get install sqlite3)");
        Path reference = dir.resolve("reference.db");
        for (MigrationFile file : MigrationSet.bundled().forwards()) {
            Process sqlite3 = new ProcessBuilder("sqlite3", reference.toString())
                    .redirectInput(Path.of("migrations", file.fileName()).toFile()).redirectErrorStream(true).start();
            assertEquals(0, sqlite3.waitFor(), new String(sqlite3.getInputStream().readAllBytes()));
        }
        MigrationEngine engine = engine(MigrationSet.bundled());
        upgrade(engine, null);
        List<String> up = TestDb.schema(db());
        assertEquals(TestDb.schema(reference), up);
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db()));

        downgrade(engine, "base");
        assertEquals(List.of(), TestDb.schema(db()));
        assertEquals(List.of(), TestDb.history(db()));

        upgrade(engine, null);
        assertEquals(up, TestDb.schema(db()));
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db()));
    }

    @Test
    void eachUndoRestoresThePreviousSchemaAndKeepsRowsThroughTableRebuilds() throws Exception {
        MigrationEngine engine = engine(MigrationSet.bundled());
        List<List<String>> schemas = new java.util.ArrayList<>();
        for (String version : List.of("1", "2", "3", "4", "5")) {
            upgrade(engine, version);
            schemas.add(TestDb.schema(db()));
        }
        TestDb.execute(db(), "INSERT INTO users(id, email, name) VALUES (1, 'a@example.org', 'Anna')",
                "INSERT INTO income(user_id, amount, month) VALUES (1, 500, '2025-10')",
                "INSERT INTO shared_budgets(name, owner_id, invite_code) VALUES ('family', 1, 'ABC')");
        for (int i = 4; i >= 1; i--) {
            downgrade(engine, "-1");
            assertEquals(unquoted(schemas.get(i - 1)), unquoted(TestDb.schema(db())), "schema after undoing version " + (i + 1));
        }
        // U5 rebuilt users and U2 rebuilt income: the rows are still there and still consistent
        assertEquals(List.of("Anna"), TestDb.strings(db(), "SELECT name FROM users"));
        assertEquals(List.of("500"), TestDb.strings(db(), "SELECT amount FROM income"));
        assertEquals(List.of(), TestDb.strings(db(), "PRAGMA foreign_key_check"));
    }

    /** SQLite stores a table renamed by ALTER TABLE ... RENAME TO with its new name in quotes. */
    private static List<String> unquoted(List<String> schema) {
        return schema.stream().map(s -> s.replaceAll("CREATE TABLE \"([^\"]+)\"", "CREATE TABLE $1")).toList();
    }

    @Test
    void reportsEachScriptAndTheChecksBeforeCommitBothWays() throws Exception {
        RecordingProgress progress = new RecordingProgress();
        MigrationEngine engine = new MigrationEngine(SqliteDatabase.creating(db(), Duration.ofSeconds(2)), MigrationSet.bundled().requireValid(), progress);
        upgrade(engine, "3");
        assertEquals(List.of("applying 1 initial schema (1 of 3)", "applying 2 income sources (2 of 3)", "applying 3 add date to income (3 of 3)",
                "checking foreign keys and integrity before commit"), progress.descriptions());

        RecordingProgress back = new RecordingProgress();
        Units.downgrade(new MigrationEngine(SqliteDatabase.forChanging(db(), Duration.ofSeconds(2)), MigrationSet.bundled().requireValid(), back), "1");
        assertEquals(List.of("undoing 3 add date to income (1 of 2)", "undoing 2 income sources (2 of 2)",
                "checking foreign keys and integrity before commit"), back.descriptions());
        assertTrue(progress.steps().stream().allMatch(RecordingProgress.Recorded::ended), "every step ended: " + progress.steps());
        assertEquals(List.of("1:1"), TestDb.history(db()));
    }

    @Test
    void aFailingMigrationInTheMiddleLeavesSchemaAndHistoryExactlyAsBefore() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        MigrationEngine engine = engine(m);
        upgrade(engine, null);
        TestDb.execute(db(), "INSERT INTO a VALUES (1)");
        List<String> schemaBefore = TestDb.schema(db());
        List<String> historyBefore = TestDb.strings(db(), "SELECT * FROM flyway_schema_history");

        TestDb.write(m, "V2__b.sql", "CREATE TABLE b(y);\nINSERT INTO a VALUES (2);");
        TestDb.write(m, "V3__c.sql", "CREATE TABLE c(z);\nINSERT INTO no_such_table VALUES (1);");
        TestDb.write(m, "V4__d.sql", "CREATE TABLE d(w);");
        CrystalDbException error = refused(ExitCode.FAILED, () -> upgrade(engine(m), null));
        assertTrue(error.getMessage().contains("V3__c.sql"), error.getMessage());
        assertTrue(error.getMessage().contains("no such table: no_such_table"), error.getMessage());

        assertEquals(schemaBefore, TestDb.schema(db()));
        assertEquals(historyBefore, TestDb.strings(db(), "SELECT * FROM flyway_schema_history"));
        assertEquals(List.of("1"), TestDb.strings(db(), "SELECT x FROM a"));
    }

    @Test
    void filesWithTheirOwnTransactionAndForeignKeySwitchesStayAllOrNothing() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__parents.sql", "CREATE TABLE parent(id INTEGER PRIMARY KEY);\n"
                + "CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE);\n"
                + "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (10, 1);");
        upgrade(engine(m), null);
        // the SQLite 12-step rebuild: with foreign keys on, DROP TABLE parent would cascade into child
        TestDb.write(m, "V2__rebuild_parent.sql", "PRAGMA foreign_keys=OFF;\r\nBEGIN;\r\n"
                + "CREATE TABLE parent_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x');\r\n"
                + "INSERT INTO parent_new(id) SELECT id FROM parent;\r\nDROP TABLE parent;\r\n"
                + "ALTER TABLE parent_new RENAME TO parent;\r\nCOMMIT;\r\nPRAGMA foreign_keys=ON;\r\n");
        upgrade(engine(m), null);
        assertEquals(List.of("10"), TestDb.strings(db(), "SELECT id FROM child"));
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db()));

        // the same shape, but the rebuild loses the parent row: the unit must not commit
        TestDb.write(m, "V3__lossy_rebuild.sql", "PRAGMA foreign_keys=OFF;\nBEGIN;\n"
                + "CREATE TABLE parent_new(id INTEGER PRIMARY KEY, name TEXT);\nDROP TABLE parent;\n"
                + "ALTER TABLE parent_new RENAME TO parent;\nCOMMIT;\nPRAGMA foreign_keys=ON;\n");
        List<String> before = TestDb.schema(db());
        CrystalDbException error = refused(ExitCode.FAILED, () -> upgrade(engine(m), null));
        assertTrue(error.getMessage().contains("foreign key check failed"), error.getMessage());
        assertEquals(before, TestDb.schema(db()));
        assertEquals(List.of("1"), TestDb.strings(db(), "SELECT id FROM parent"));
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db()));
    }

    @Test
    void triggersCaseStringsCommentsAndEmptyMigrationsWork() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__tables.sql", "CREATE TABLE t(x TEXT); CREATE TABLE log(msg TEXT); -- a; comment\n");
        TestDb.write(m, "V2__trigger.sql", "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n"
                + "  INSERT INTO log VALUES (CASE WHEN NEW.x LIKE '%;%' THEN 'semi;colon' ELSE 'plain' END);\nEND;\n"
                + "INSERT INTO t VALUES ('a;b'); /* block; comment */ INSERT INTO t VALUES ('ab');\n");
        TestDb.write(m, "V3__empty.sql", "");
        TestDb.write(m, "V4__comments_only.sql", "-- nothing to do here;\n/* really; nothing */\n");
        upgrade(engine(m), null);
        assertEquals(List.of("semi;colon", "plain"), TestDb.strings(db(), "SELECT msg FROM log ORDER BY rowid"));
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1"), TestDb.history(db()));
    }

    @Test
    void vacuumIsRefusedBeforeAnythingRuns() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        TestDb.write(m, "V2__b.sql", "CREATE TABLE b(x);\nVACUUM;");
        CrystalDbException error = refused(ExitCode.USAGE, () -> engine(m).planUpgrade(null));
        assertEquals("V2__b.sql line 2: VACUUM cannot run inside a transaction; run it by hand after the upgrade (sqlite3 DB 'VACUUM')",
                error.getMessage());
        assertFalse(Files.exists(db()));
    }

    @Test
    void anEditedAppliedMigrationIsRefused() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        upgrade(engine(m), null);
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x, y);");
        TestDb.write(m, "V2__b.sql", "CREATE TABLE b(x);");
        CrystalDbException error = refused(ExitCode.CHECK_FAILED, () -> engine(m).planUpgrade(null));
        assertTrue(error.getMessage().startsWith("V1__a.sql was changed after it was applied"), error.getMessage());
    }

    @Test
    void aDatabaseNewerThanTheSetIsRefusedNamingBothVersions() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        TestDb.write(m, "V2__b.sql", "CREATE TABLE b(x);");
        upgrade(engine(m), null);
        Files.delete(m.resolve("V2__b.sql"));
        CrystalDbException error = refused(ExitCode.CHECK_FAILED, () -> engine(m).planUpgrade(null));
        assertTrue(error.getMessage().contains("database is at version 2, newer than the newest migration 1"), error.getMessage());
        refused(ExitCode.CHECK_FAILED, () -> engine(m).planDowngrade("base"));
    }

    @Test
    void aDatabaseWithTablesButNoHistoryIsRefusedUntilStamped() throws Exception {
        TestDb.execute(db(), "CREATE TABLE users(id INTEGER PRIMARY KEY)", "CREATE TABLE alembic_version(version_num TEXT)",
                "INSERT INTO alembic_version VALUES ('515954c99c28')");
        CrystalDbException error = refused(ExitCode.CHECK_FAILED, () -> engine(MigrationSet.bundled()).planUpgrade(null));
        assertTrue(error.getMessage().contains("no migration history (Alembic revision 515954c99c28)"), error.getMessage());
        assertTrue(engine(MigrationSet.bundled()).inspect().alembicRevision().isPresent());
    }

    @Test
    void downgradeRefusesAMissingUndoScriptNamingIt() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        TestDb.write(m, "U1__a.sql", "DROP TABLE a;");
        TestDb.write(m, "V2__add_b.sql", "CREATE TABLE b(x);");
        upgrade(engine(m), null);
        CrystalDbException error = refused(ExitCode.USAGE, () -> engine(m).planDowngrade("base"));
        assertTrue(error.getMessage().contains("add U2__add_b.sql"), error.getMessage());
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db()));
    }

    @Test
    void aFailingUndoRollsBackTheWholeDowngrade() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        TestDb.write(m, "U1__a.sql", "DROP TABLE no_such_table;");
        TestDb.write(m, "V2__b.sql", "CREATE TABLE b(x);");
        TestDb.write(m, "U2__b.sql", "DROP TABLE b;");
        upgrade(engine(m), null);
        List<String> before = TestDb.schema(db());
        CrystalDbException error = refused(ExitCode.FAILED, () -> downgrade(engine(m), "base"));
        assertTrue(error.getMessage().startsWith("U1__a.sql line 1: "), error.getMessage());
        assertEquals(before, TestDb.schema(db()));
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db()));
    }

    @Test
    void downgradeTargets() throws Exception {
        MigrationEngine engine = engine(MigrationSet.bundled());
        upgrade(engine, null);
        refused(ExitCode.USAGE, () -> engine.planDowngrade("-6"));
        refused(ExitCode.USAGE, () -> engine.planDowngrade("-0"));
        refused(ExitCode.USAGE, () -> engine.planDowngrade("9"));
        refused(ExitCode.USAGE, () -> engine.planDowngrade("banana"));
        assertEquals("3", downgrade(engine, "-2").to().orElseThrow().toString());
        assertEquals(0, engine.planDowngrade("3").undos().size());
        assertEquals("1", downgrade(engine, "1").to().orElseThrow().toString());
        refused(ExitCode.USAGE, () -> engine.planDowngrade("4"));
        assertEquals(List.of("1:1"), TestDb.history(db()));
    }

    @Test
    void upgradeTargets() throws Exception {
        MigrationEngine engine = engine(MigrationSet.bundled());
        assertEquals(2, upgrade(engine, "2").steps().size());
        refused(ExitCode.USAGE, () -> engine.planUpgrade("1"));
        refused(ExitCode.USAGE, () -> engine.planUpgrade("7"));
        assertEquals(3, upgrade(engine, "head").steps().size());
        assertTrue(engine.planUpgrade(null).nothingToDo());
    }

    @Test
    void stampRecordsVersionsWithoutRunningSql() throws Exception {
        MigrationEngine engine = engine(MigrationSet.bundled());
        upgrade(engine, "3");
        Units.stamp(engine, "5");
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db()));
        assertFalse(TestDb.schema(db()).stream().anyMatch(s -> s.contains("shared_budgets")), "no SQL ran");
        Units.stamp(engine, "2");
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db()));
        Units.stamp(engine, "base");
        assertEquals(List.of(), TestDb.history(db()));
        refused(ExitCode.USAGE, () -> Units.stamp(engine, "8"));
        // stamped rows carry the files' checksums, so the next upgrade validates cleanly
        Units.stamp(engine, "head");
        assertTrue(engine.planUpgrade(null).nothingToDo());
    }

    @Test
    void checksumsComputedWithoutFlywayEqualTheOnesFlywayRecords() throws Exception {
        Path m = TestDb.copyBundled(dir.resolve("m"));
        TestDb.write(m, "V6__crlf_and_bom.sql", "\uFEFF-- header\r\nCREATE TABLE crlf(x TEXT DEFAULT 'é');\r\n\r\nBEGIN;\r\nCOMMIT;\r\n");
        TestDb.write(m, "V7__no_final_newline.sql", "CREATE TABLE last(x)");
        upgrade(engine(m), null);
        MigrationSet set = MigrationSet.fromDirectory(m);
        for (MigrationFile file : set.forwards()) {
            String recorded = TestDb.strings(db(), "SELECT checksum FROM flyway_schema_history WHERE version = '" + file.version() + "'").get(0);
            assertEquals(recorded, String.valueOf(ScriptChecksum.of(MigrationScript.prepare(file).runnableSql())), file.fileName());
        }
        assertTrue(engine(m).inspect().entries().stream().noneMatch(HistoryEntry::fileChanged));
    }

    @Test
    void aFileAddedBelowTheCurrentVersionIsRefusedAsSkipped() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        TestDb.write(m, "V3__c.sql", "CREATE TABLE c(x);");
        upgrade(engine(m), null);
        TestDb.write(m, "V2__b.sql", "CREATE TABLE b(x);");
        CrystalDbException error = refused(ExitCode.CHECK_FAILED, () -> engine(m).planUpgrade(null));
        assertTrue(error.getMessage().startsWith("V2__b.sql (version 2) is older than the database's current version"), error.getMessage());
    }

    @Test
    void stampingAnUnversionedDatabaseCreatesFlywaysOwnHistoryTable() throws Exception {
        Path flywayMade = dir.resolve("flyway.db");
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        Flyway.configure().dataSource("jdbc:sqlite:" + flywayMade, null, null).locations("filesystem:" + m).load().migrate();

        TestDb.execute(db(), "CREATE TABLE a(x)");
        Units.stamp(engine(m), "1");
        String query = "SELECT sql FROM sqlite_master WHERE name LIKE 'flyway_schema_history%' ORDER BY name";
        assertEquals(TestDb.strings(flywayMade, query), TestDb.strings(db(), query));
        assertEquals(TestDb.strings(flywayMade, "SELECT version, description, type, script, checksum, success FROM flyway_schema_history"),
                TestDb.strings(db(), "SELECT version, description, type, script, checksum, success FROM flyway_schema_history"));
        assertTrue(engine(m).planUpgrade(null).nothingToDo());
    }
}
