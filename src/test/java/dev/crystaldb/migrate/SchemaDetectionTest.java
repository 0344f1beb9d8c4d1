package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.support.Alembic;
import dev.crystaldb.support.TestDb;
import dev.crystaldb.support.Units;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** stamp --detect's engine on databases built outside crystal-db: by plain SQL, by hand, by real Alembic. */
class SchemaDetectionTest {
    @TempDir
    Path dir;

    private final MigrationSet bundled = MigrationSet.bundled();

    /** The bundled set with the CrystalBudget Alembic project's revision ids in its headers. */
    private MigrationSet crystalBudget() throws Exception {
        return MigrationSet.fromDirectory(TestDb.crystalBudgetMigrations(dir.resolve("crystalbudget-migrations")));
    }

    /** Builds a database the way an operator's old tooling did: the forward SQL run by the sqlite3 CLI, no history. */
    private Path builtBySqlite3(String name, int versions) throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/sqlite3").canExecute(), "sqlite3 CLI not installed (apt-get install sqlite3)");
        Path db = dir.resolve(name);
        TestDb.execute(db, "CREATE TABLE IF NOT EXISTS keep_file_nonempty_guard(x)", "DROP TABLE keep_file_nonempty_guard");
        for (MigrationFile file : bundled.forwards().subList(0, versions)) {
            Process sqlite3 = new ProcessBuilder("sqlite3", db.toString()).redirectInput(Path.of("migrations", file.fileName()).toFile())
                    .redirectErrorStream(true).start();
            assertEquals(0, sqlite3.waitFor(), new String(sqlite3.getInputStream().readAllBytes()));
        }
        return db;
    }

    private SchemaDetection.Result detect(Path db) {
        return SchemaDetection.detect(SqliteDatabase.forChanging(db, Duration.ofSeconds(2)), bundled, Optional.empty());
    }

    @ParameterizedTest(name = "built up to version {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void detectsTheVersionOfADatabaseBuiltByPlainSql(int version) throws Exception {
        SchemaDetection.Result result = detect(builtBySqlite3("v" + version + ".db", version));
        assertEquals(Optional.of(String.valueOf(version)), result.decided().map(SchemaTimeline.Point::label));
    }

    @Test
    void anEmptyDatabaseIsBase() throws Exception {
        Path db = dir.resolve("empty.db");
        TestDb.execute(db, "PRAGMA user_version = 1");
        assertEquals(Optional.of("base"), detect(db).decided().map(SchemaTimeline.Point::label));
    }

    @Test
    void aHandMadeExtraTableGivesNoStampAndIsNamed() throws Exception {
        Path db = builtBySqlite3("extra.db", 4);
        TestDb.execute(db, "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, action TEXT)");
        SchemaDetection.Result result = detect(db);
        assertTrue(result.decided().isEmpty());
        assertEquals("4", result.closest().label());
        assertEquals(List.of("extra table audit_log"), result.closestDifferences());
    }

    @Test
    void aMissingColumnPointsAtTheClosestVersion() throws Exception {
        Path db = builtBySqlite3("partial.db", 2);
        TestDb.execute(db, "ALTER TABLE income ADD COLUMN date DATE");
        SchemaDetection.Result result = detect(db);
        assertTrue(result.decided().isEmpty());
        assertEquals("3", result.closest().label());
        assertEquals(List.of("table income: missing index ix_income_user_date (user_id, date)"), result.closestDifferences());
    }

    @ParameterizedTest(name = "Alembic upgraded to revision {0} of 5")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void aDatabaseMadeByAlembicIsFoundThroughItsRevisionAndThroughTheFingerprintAlone(int version) throws Exception {
        Alembic.assumeInstalled();
        Path project = Alembic.project("crystalbudget", dir.resolve("alembic"));
        Path db = dir.resolve("alembic.db");
        String revision = Alembic.CRYSTALBUDGET_REVISIONS.get(version - 1);
        Alembic.run(project, db, "upgrade", revision);
        assertEquals(List.of(revision), TestDb.strings(db, "SELECT version_num FROM alembic_version"));

        SqliteDatabase database = SqliteDatabase.forChanging(db, Duration.ofSeconds(2));
        MigrationSet crystalBudget = crystalBudget();
        MigrationEngine engine = new MigrationEngine(database, crystalBudget);
        SchemaDetection.Result byRevision = SchemaDetection.detect(database, crystalBudget, engine.inspect().alembicRevision());
        assertEquals(Optional.of(Version.parseOrNull(String.valueOf(version))), byRevision.alembicMapped());
        assertTrue(byRevision.alembicConfirmed(), byRevision.closestDifferences().toString());
        SchemaTimeline.Point found = byRevision.decided().orElseThrow();
        assertEquals(String.valueOf(version), found.label());
        // SQLAlchemy writes "id INTEGER NOT NULL, ..., PRIMARY KEY (id)" where the migrations say "id INTEGER PRIMARY KEY"
        assertTrue(byRevision.equivalencesTo(found).stream().anyMatch(e -> e.startsWith("column users.id: ")
                && e.endsWith("an INTEGER PRIMARY KEY is the rowid and never NULL")), byRevision.equivalencesTo(found).toString());

        TestDb.execute(db, "DROP TABLE alembic_version");
        SchemaDetection.Result byFingerprint = SchemaDetection.detect(database, crystalBudget, engine.inspect().alembicRevision());
        assertTrue(byFingerprint.alembicMapped().isEmpty());
        assertEquals(String.valueOf(version), byFingerprint.decided().orElseThrow().label());

        Units.stamp(engine, String.valueOf(version));
        Units.upgrade(engine, null);
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db));
    }

    @ParameterizedTest(name = "create_all of the models of release {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void aDatabaseTheAppMadeWithCreateAllIsFoundAtItsRelease(int release) throws Exception {
        Alembic.assumeInstalled();
        Path project = Alembic.project("crystalbudget", dir.resolve("alembic"));
        Path db = Alembic.createAll(project, dir.resolve("app.db"), release);
        SchemaDetection.Result result = detect(db);
        assertEquals(String.valueOf(release), result.decided().map(SchemaTimeline.Point::label).orElse(result.closestDifferences().toString()));
        List<String> notes = result.equivalencesTo(result.decided().orElseThrow());
        if (release >= 2) {
            // the models declare income.source_id beside user_id, where ALTER TABLE ADD COLUMN put it last
            assertTrue(notes.stream().anyMatch(n -> n.startsWith("table income: columns in the order (id, user_id, source_id, ")), notes.toString());
        }
    }

    @Test
    void aCheckThatAlembicsBatchModeDroppedIsADifference() throws Exception {
        Alembic.assumeInstalled();
        Path project = Alembic.project("crystalbudget", dir.resolve("alembic"));
        Path db = dir.resolve("alembic.db");
        Alembic.run(project, db, "upgrade", "add_date_to_income");
        // what batch_alter_table('income') does without table_args: the unnamed CHECK is not carried over
        TestDb.execute(db, "CREATE TABLE _alembic_tmp_income (id INTEGER NOT NULL, user_id INTEGER NOT NULL, amount NUMERIC NOT NULL, "
                        + "month VARCHAR(7) NOT NULL, created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL, source_id INTEGER, date DATE, "
                        + "PRIMARY KEY (id), FOREIGN KEY(source_id) REFERENCES income_sources (id) ON DELETE SET NULL, "
                        + "FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE)",
                "INSERT INTO _alembic_tmp_income SELECT id, user_id, amount, month, created_at, source_id, date FROM income",
                "DROP TABLE income", "ALTER TABLE _alembic_tmp_income RENAME TO income",
                "CREATE INDEX ix_income_user_month ON income (user_id, month)", "CREATE INDEX ix_income_user_date ON income (user_id, date)");
        SchemaDetection.Result result = SchemaDetection.detect(SqliteDatabase.forChanging(db, Duration.ofSeconds(2)), crystalBudget(), Optional.of("add_date_to_income"));
        assertFalse(result.alembicConfirmed());
        assertTrue(result.decided().isEmpty());
        assertEquals("3", result.closest().label());
        assertEquals(List.of("table income: missing CHECK (amount>=0)"), result.closestDifferences());
    }

    @Test
    void aStaleAlembicRevisionIsCrossCheckedAndTheFingerprintWins() throws Exception {
        Path db = builtBySqlite3("stale.db", 3);
        TestDb.execute(db, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)", "INSERT INTO alembic_version VALUES ('crystaldb_example_2')");
        SchemaDetection.Result result = SchemaDetection.detect(SqliteDatabase.forChanging(db, Duration.ofSeconds(2)), bundled, Optional.of("crystaldb_example_2"));
        assertEquals(Optional.of(Version.parseOrNull("2")), result.alembicMapped());
        assertFalse(result.alembicConfirmed());
        assertEquals("3", result.decided().orElseThrow().label());
    }
}
