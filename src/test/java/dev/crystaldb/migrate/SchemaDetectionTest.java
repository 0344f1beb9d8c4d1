package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.support.TestDb;
import dev.crystaldb.support.Units;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        assertEquals(List.of("table income: missing index (user_id, date)"), result.closestDifferences());
    }

    @Test
    void realAlembicDatabaseIsAdoptedThroughTheHeaderMappingAndThroughTheFingerprintAlone() throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder(python(), "-c", "import alembic").start().waitFor() == 0,
                "python3-alembic not installed (apt-get install python3-alembic)");
        Path db = dir.resolve("alembic.db");
        Path project = alembicProject();
        Process alembic = new ProcessBuilder(python(), "-m", "alembic", "-x", "url=sqlite:///" + db, "upgrade", "515954c99c28")
                .directory(project.toFile()).redirectErrorStream(true).start();
        String log = new String(alembic.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, alembic.waitFor(), log);
        assertEquals(List.of("515954c99c28"), TestDb.strings(db, "SELECT version_num FROM alembic_version"));

        SqliteDatabase database = SqliteDatabase.forChanging(db, Duration.ofSeconds(2));
        MigrationEngine engine = new MigrationEngine(database, bundled);
        SchemaDetection.Result byMapping = SchemaDetection.detect(database, bundled, engine.inspect().alembicRevision());
        assertEquals(Optional.of(Version.parseOrNull("4")), byMapping.alembicMapped());
        assertTrue(byMapping.alembicConfirmed());
        assertEquals("4", byMapping.decided().orElseThrow().label());

        TestDb.execute(db, "DROP TABLE alembic_version");
        SchemaDetection.Result byFingerprint = SchemaDetection.detect(database, bundled, engine.inspect().alembicRevision());
        assertTrue(byFingerprint.alembicMapped().isEmpty());
        assertEquals("4", byFingerprint.decided().orElseThrow().label());

        Units.stamp(engine, "4");
        Units.upgrade(engine, null);
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db));
    }

    @Test
    void aStaleAlembicRevisionIsCrossCheckedAndTheFingerprintWins() throws Exception {
        Path db = builtBySqlite3("stale.db", 3);
        TestDb.execute(db, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)", "INSERT INTO alembic_version VALUES ('d06c52a8b6a7')");
        SchemaDetection.Result result = SchemaDetection.detect(SqliteDatabase.forChanging(db, Duration.ofSeconds(2)), bundled, Optional.of("d06c52a8b6a7"));
        assertEquals(Optional.of(Version.parseOrNull("2")), result.alembicMapped());
        assertFalse(result.alembicConfirmed());
        assertEquals("3", result.decided().orElseThrow().label());
    }

    /** Debian's python3 (where python3-alembic installs), even when another python3 comes first on the PATH. */
    private static String python() {
        return new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
    }

    /** An Alembic project whose revisions run the same SQL as the bundled migrations, one statement per op.execute. */
    private Path alembicProject() throws Exception {
        Path project = Files.createDirectories(dir.resolve("alembic"));
        Path versions = Files.createDirectories(project.resolve("versions"));
        Files.writeString(project.resolve("alembic.ini"), "[alembic]\nscript_location = .\n");
        Files.writeString(project.resolve("env.py"), String.join("\n",
                "from alembic import context",
                "from sqlalchemy import create_engine",
                "engine = create_engine(context.get_x_argument(as_dictionary=True)['url'])",
                "with engine.connect() as connection:",
                "    context.configure(connection=connection, target_metadata=None)",
                "    with context.begin_transaction():",
                "        context.run_migrations()", ""));
        String down = "None";
        for (MigrationFile file : bundled.forwards()) {
            String revision = file.alembicRevision().orElseThrow();
            Path statements = Files.createDirectories(versions.resolve("sql_" + revision));
            int n = 0;
            for (SqlStatement statement : MigrationScript.prepare(file).statements()) {
                Files.writeString(statements.resolve(String.format("%03d.sql", n++)), statement.text());
            }
            Files.writeString(versions.resolve(revision + ".py"), String.join("\n",
                    "import glob, os",
                    "from alembic import op",
                    "revision = '" + revision + "'",
                    "down_revision = " + down,
                    "branch_labels = None",
                    "depends_on = None",
                    "def upgrade():",
                    "    for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), 'sql_" + revision + "', '*.sql'))):",
                    "        op.execute(open(path).read())",
                    "def downgrade():",
                    "    pass", ""));
            down = "'" + revision + "'";
        }
        return project;
    }
}
