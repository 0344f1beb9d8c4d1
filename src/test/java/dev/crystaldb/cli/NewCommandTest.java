package dev.crystaldb.cli;

import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `new` and `new --from` as an operator types them: files written or not, output, refusals, and SCHEMA left as it was. */
class NewCommandTest {
    @TempDir
    Path dir;

    private Path migrations() throws Exception {
        Path m = Files.createDirectories(dir.resolve("migrations"));
        TestDb.write(m, "V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n");
        TestDb.write(m, "U1__users.sql", "DROP TABLE users;\n");
        return m;
    }

    private List<String> files(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertOneLineError(Cli.Run run, int exit, String fragment) {
        assertEquals(exit, run.exit(), run.toString());
        assertEquals(1, run.err().lines().count(), run.toString());
        assertTrue(run.err().startsWith("crystal-db: ") && run.err().contains(fragment), run.toString());
    }

    @Test
    void fromASqlFileWritesTheProvenPair() throws Exception {
        Path m = migrations();
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, avatar_url TEXT);\n"
                + "CREATE INDEX ix_users_email ON users (email);\n");
        Cli.Run run = Cli.run("--migrations", m.toString(), "new", "avatar", "url", "--from", schema.toString());
        assertEquals(0, run.exit(), run.toString());
        assertEquals("from version 1 to " + schema + ":\n"
                + "  table users: add column avatar_url, create index ix_users_email\n"
                + "created " + m.resolve("V2__avatar_url.sql") + "\n"
                + "created " + m.resolve("U2__avatar_url.sql") + "\n"
                + "proven on a scratch database with 2 sample row(s): V2__avatar_url.sql gives the schema of schema.sql, "
                + "U2__avatar_url.sql gives version 1 back, and the rows are kept\n", run.out());
        assertEquals("", run.err());
        assertTrue(Files.readString(m.resolve("V2__avatar_url.sql")).contains("ALTER TABLE users ADD COLUMN avatar_url TEXT;\nCREATE INDEX ix_users_email ON users (email);\n"));
        assertTrue(Files.readString(m.resolve("U2__avatar_url.sql")).contains("DROP INDEX ix_users_email;\nALTER TABLE users DROP COLUMN avatar_url;\n"));
        Cli.Run lint = Cli.run("--migrations", m.toString(), "lint", "--round-trip", "--strict");
        assertEquals(0, lint.exit(), lint.toString());

        Cli.Run again = Cli.run("--migrations", m.toString(), "new", "again", "--from", schema.toString());
        assertEquals(0, again.exit(), again.toString());
        assertEquals("no difference: " + schema + " has the schema of version 2; nothing written\n", again.out());
        assertEquals(List.of("U1__users.sql", "U2__avatar_url.sql", "V1__users.sql", "V2__avatar_url.sql"), files(m));
    }

    @Test
    void fromTheDevDatabaseReadsItWithoutChangingAByteOrAddingAFile() throws Exception {
        Path m = migrations();
        Path dev = dir.resolve("dev.db");
        TestDb.execute(dev, "PRAGMA journal_mode=WAL", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)",
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)", "INSERT INTO users (email) VALUES ('a@x')");
        String before = TestDb.sha256(dev);
        List<String> around = files(dir);
        Cli.Run run = Cli.run("--migrations", m.toString(), "--json", "new", "user name", "--from", dev.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("\"changes\": [\n    \"table users: add column name\"\n  ]"), run.out());
        assertEquals(before, TestDb.sha256(dev));
        assertEquals(around, files(dir), "no -wal or -shm left beside it");
        assertTrue(Files.readString(m.resolve("V2__user_name.sql")).contains("ALTER TABLE users ADD COLUMN name TEXT;"));
    }

    @Test
    void aDatabaseLeftWithAHotJournalIsRefusedAndLeftAlone() throws Exception {
        Path m = migrations();
        Path live = dir.resolve("live.db");
        TestDb.execute(live, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)", "CREATE TABLE filler (x)",
                "INSERT INTO filler SELECT randomblob(2000) FROM (WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 500) SELECT i FROM r)");
        Path copy = dir.resolve("crashed.db");
        try (Connection connection = TestDb.connect(live); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA cache_size = 1");
            connection.setAutoCommit(false);
            statement.execute("UPDATE filler SET x = randomblob(2000)");
            // a copy of the file and its journal in mid-transaction, with nobody holding a lock on it: what a writer killed there leaves
            Files.copy(live, copy);
            Files.copy(Path.of(live + "-journal"), Path.of(copy + "-journal"));
            connection.rollback();
        }
        String before = TestDb.sha256(copy);
        assertOneLineError(Cli.run("--migrations", m.toString(), "new", "x", "--from", copy.toString()), 2, "hot journal crashed.db-journal");
        assertEquals(before, TestDb.sha256(copy));
        assertTrue(Files.exists(Path.of(copy + "-journal")));
        assertEquals(List.of("U1__users.sql", "V1__users.sql"), files(m));
    }

    @Test
    void badSchemaInputIsOneLineAndWritesNothing() throws Exception {
        Path m = migrations();
        String migrations = m.toString();
        assertOneLineError(Cli.run("--migrations", migrations, "new", "x", "--from", dir.resolve("nope.sql").toString()), 2, "does not exist");
        assertOneLineError(Cli.run("--migrations", migrations, "new", "x", "--from", dir.toString()), 2, "is not a regular file");
        Path notes = Files.writeString(dir.resolve("notes.txt"), "CREATE TABLE t (x);\n");
        assertOneLineError(Cli.run("--migrations", migrations, "new", "x", "--from", notes.toString()), 2, "is neither an SQLite database nor a .sql file");
        Path dump = TestDb.write(dir, "dump.sql", "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t (x);\nINSERT INTO t VALUES (1);\nCOMMIT;\n");
        assertOneLineError(Cli.run("--migrations", migrations, "new", "x", "--from", dump.toString()), 2,
                "dump.sql line 4: INSERT is not a CREATE statement; SCHEMA holds the schema only (sqlite3 DB .schema > schema.sql writes one)");
        Path broken = TestDb.write(dir, "broken.sql", "CREATE TABLE t (x);\nCREATE TABLE u (y INTEGER PRIMARY KEY, y);\n");
        assertOneLineError(Cli.run("--migrations", migrations, "new", "x", "--from", broken.toString()), 2, "broken.sql line 2: ");
        assertOneLineError(Cli.run("--migrations", migrations, "new", "x", "--rename", "a=b"), 2, "--rename works with --from SCHEMA only");
        assertOneLineError(Cli.run("--migrations", migrations, "new", "x", "--allow-data-loss"), 2, "--allow-data-loss works with --from SCHEMA only");
        assertEquals(List.of("U1__users.sql", "V1__users.sql"), files(m));
    }

    @Test
    void theSchemaFileOfSqlite3SchemaIsAccepted() throws Exception {
        Path m = migrations();
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, name TEXT);\n"
                + "CREATE TABLE sqlite_sequence(name,seq);\n/* No STAT tables available */\n");
        Cli.Run run = Cli.run("--migrations", m.toString(), "new", "name", "--from", schema.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("  rebuild table users\n"), run.out());
    }

    @Test
    void aRenameNotToldIsWarnedAbout() throws Exception {
        Path m = Files.createDirectories(dir.resolve("migrations"));
        TestDb.write(m, "V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n");
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, mail TEXT);\n");
        Cli.Run refused = Cli.run("--migrations", m.toString(), "new", "mail", "--from", schema.toString());
        assertOneLineError(refused, 2, "V2__mail.sql would drop column users.email and its values (users.mail, added beside it, looks like it renamed); "
                + "nothing was written: run again with --rename users.email=mail to keep the data, or with --allow-data-loss to drop it");
        assertEquals(List.of("V1__users.sql"), files(m));
        Cli.Run run = Cli.run("--migrations", m.toString(), "new", "mail", "--from", schema.toString(), "--allow-data-loss");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("and the rows are kept but for the data of column users.email (dropped: --allow-data-loss)"), run.out());
        assertTrue(run.err().contains("crystal-db: warning: table users: column email dropped and mail added: a rename cannot be told from the two schemas, "
                + "so it is written as a drop plus an add (the values of email are lost); if mail is email renamed, run again with --rename users.email=mail\n"),
                run.err());
        assertTrue(run.err().contains("crystal-db: warning: V2__mail.sql drops column users.email and the values in it (the undo adds it back, empty)\n"), run.err());
    }

    @Test
    void aChangeThatCannotBeWrittenIsRefusedWithExit4() throws Exception {
        Path m = migrations();
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, phone TEXT NOT NULL);\n");
        assertOneLineError(Cli.run("--migrations", m.toString(), "new", "phone", "--from", schema.toString()), 4,
                "column users.phone is NOT NULL without a DEFAULT");
        assertEquals(List.of("U1__users.sql", "V1__users.sql"), files(m));
    }

    @Test
    void withoutAMigrationsDirectoryNothingIsCreated() {
        Path missing = dir.resolve("migrations");
        assertOneLineError(Cli.run("--migrations", missing.toString(), "new", "first"), 2, "there is no migrations directory " + missing);
        assertFalse(Files.exists(missing));
    }

    @Test
    void anUnwrittenTemplateIsRefusedByLintUpgradeAndDowngrade() throws Exception {
        Path m = migrations();
        Path db = dir.resolve("app.db");
        assertEquals(0, Cli.run("--db", db.toString(), "--migrations", m.toString(), "upgrade", "--create").exit());
        Cli.Run created = Cli.run("--migrations", m.toString(), "new", "add", "phone");
        assertEquals(0, created.exit(), created.toString());
        assertTrue(created.out().endsWith("write the SQL of both, then delete their '-- crystal-db: not written yet' line\n"), created.out());

        Cli.Run lint = Cli.run("--migrations", m.toString(), "lint");
        assertEquals(4, lint.exit(), lint.toString());
        assertTrue(lint.out().contains("error    V2__add_phone.sql line 3: still the template crystal-db new wrote; write its SQL, "
                + "then delete the line '-- crystal-db: not written yet...'\n"), lint.out());
        String before = TestDb.sha256(db);
        assertOneLineError(Cli.run("--db", db.toString(), "--migrations", m.toString(), "upgrade"), 2, "V2__add_phone.sql line 3: still the template");
        assertOneLineError(Cli.run("--db", db.toString(), "--migrations", m.toString(), "stamp", "2"), 2,
                "V2__add_phone.sql line 3: still the template crystal-db new wrote; write its SQL, then delete the line '-- crystal-db: not written yet...'; "
                        + "a template is never recorded as applied");
        assertEquals(before, TestDb.sha256(db));
        assertEquals(List.of("1:1"), TestDb.history(db));

        Files.writeString(m.resolve("V2__add_phone.sql"), "ALTER TABLE users ADD COLUMN phone TEXT;\n");
        assertEquals(0, Cli.run("--db", db.toString(), "--migrations", m.toString(), "upgrade").exit());
        assertOneLineError(Cli.run("--db", db.toString(), "--migrations", m.toString(), "downgrade", "-1"), 2, "U2__add_phone.sql line 2: still the template");
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db));
    }

    @Test
    void aTriggerTheNewSchemaLacksIsDroppedWithAWarning() throws Exception {
        Path m = migrations();
        TestDb.write(m, "V2__audit.sql", "CREATE TABLE audit (what TEXT);\n"
                + "CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES (NEW.email); END;\n");
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);\nCREATE TABLE audit (what TEXT);\n");
        Cli.Run run = Cli.run("--migrations", m.toString(), "new", "name", "--from", schema.toString());
        assertEquals(0, run.exit(), run.toString());
        assertEquals("crystal-db: warning: V3__name.sql drops trigger users_audit, which the new schema does not have "
                + "(models that create_all makes carry no trigger unless a DDL event creates it)\n", run.err());
        assertTrue(run.out().contains("  drop trigger users_audit\n"), run.out());
    }
}
