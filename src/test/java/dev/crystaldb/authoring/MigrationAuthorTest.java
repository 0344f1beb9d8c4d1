package dev.crystaldb.authoring;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationLinter;
import dev.crystaldb.migrate.MigrationScaffold;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SqlSplitter;
import dev.crystaldb.migrate.SqlStatement;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;
import dev.crystaldb.support.TestDb;
import dev.crystaldb.support.Units;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pairs of schemas, each turned into a V/U pair by `new --from`, then applied for real: upgrade
 * on an SQLite file holding rows, the schema compared with SCHEMA, the rows counted, downgrade,
 * the schema compared with the one before.
 */
class MigrationAuthorTest {
    @TempDir
    Path dir;

    /**
     * before: the first migration; after: SCHEMA; rows: inserted at version 1; forward/undo:
     * fragments the written scripts must hold.
     */
    record Case(String name, String before, String after, List<String> renames, String rows, List<String> forward, List<String> undo) {
        Case(String name, String before, String after, String rows, List<String> forward, List<String> undo) {
            this(name, before, after, List.of(), rows, forward, undo);
        }
    }

    private static final String USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT);\n";
    private static final String USER_ROWS = "INSERT INTO users (email, nick) VALUES ('a@x', 'a'), ('b@x', NULL), ('c@x', 'c')";

    private static final List<Case> CASES = List.of(
            new Case("create a table and its index", USERS,
                    USERS + "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT);\n"
                            + "CREATE INDEX ix_notes_user ON notes (user_id);", USER_ROWS,
                    List.of("-- create table notes\nCREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT);\n"
                            + "CREATE INDEX ix_notes_user ON notes (user_id);"),
                    List.of("DROP TABLE notes;")),
            new Case("drop a table", USERS + "CREATE TABLE audit (at TEXT);", USERS, USER_ROWS,
                    List.of("DROP TABLE audit;"), List.of("CREATE TABLE audit (at TEXT);")),
            new Case("add a nullable column in place; its undo drops it in place", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT, avatar_url TEXT);", USER_ROWS,
                    List.of("-- table users: add column avatar_url\nALTER TABLE users ADD COLUMN avatar_url TEXT;"),
                    List.of("ALTER TABLE users DROP COLUMN avatar_url;")),
            new Case("add a NOT NULL column with a constant default in place", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT, currency VARCHAR(3) NOT NULL DEFAULT 'RUB');", USER_ROWS,
                    List.of("ALTER TABLE users ADD COLUMN currency VARCHAR(3) NOT NULL DEFAULT 'RUB';"), List.of("ALTER TABLE users DROP COLUMN currency;")),
            new Case("a column with a non-constant default cannot be added in place: rebuild", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);", USER_ROWS,
                    List.of("-- rebuild table users", "CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);",
                            "INSERT INTO new_users (id, email, nick)\n    SELECT id, email, nick FROM users;", "DROP TABLE users;\nALTER TABLE new_users RENAME TO users;"),
                    List.of("ALTER TABLE users DROP COLUMN created_at;")),
            new Case("a UNIQUE column cannot be added in place: rebuild", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT, handle TEXT UNIQUE);", USER_ROWS,
                    List.of("-- rebuild table users", "  table users: missing UNIQUE constraint (handle)"), List.of("-- rebuild table users")),
            new Case("drop the last column in place; its undo adds it back in place", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);", USER_ROWS,
                    List.of("ALTER TABLE users DROP COLUMN nick;"), List.of("ALTER TABLE users ADD COLUMN nick TEXT;")),
            new Case("drop a middle column in place; putting it back in its place takes a rebuild", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nick TEXT);",
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, nick TEXT);", "INSERT INTO users (email, nick) VALUES ('a@x', 'a')",
                    List.of("ALTER TABLE users DROP COLUMN email;"), List.of("-- rebuild table users", "INSERT INTO new_users (id, nick)")),
            new Case("an indexed column goes with its index, in place", USERS + "CREATE INDEX ix_users_nick ON users (nick);",
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);", USER_ROWS,
                    List.of("-- table users: drop index ix_users_nick, drop column nick\nDROP INDEX ix_users_nick;\nALTER TABLE users DROP COLUMN nick;"),
                    List.of("ALTER TABLE users ADD COLUMN nick TEXT;\nCREATE INDEX ix_users_nick ON users (nick);")),
            new Case("a column with a column REFERENCES goes in place, and comes back in place",
                    USERS + "CREATE TABLE members (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), team INTEGER REFERENCES users(id));",
                    USERS + "CREATE TABLE members (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));",
                    USER_ROWS + ";\nINSERT INTO members VALUES (1, 1, 2), (2, 3, NULL)",
                    List.of("ALTER TABLE members DROP COLUMN team;"), List.of("ALTER TABLE members ADD COLUMN team INTEGER REFERENCES users(id);")),
            new Case("a column in a table FOREIGN KEY cannot be dropped in place: rebuild", USERS + "CREATE TABLE teams (id INTEGER PRIMARY KEY);\n"
                    + "CREATE TABLE members (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), team_id INTEGER, FOREIGN KEY (team_id) REFERENCES teams(id));",
                    USERS + "CREATE TABLE teams (id INTEGER PRIMARY KEY);\nCREATE TABLE members (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));",
                    USER_ROWS + ";\nINSERT INTO teams VALUES (7);\nINSERT INTO members VALUES (1, 1, 7), (2, 3, NULL)",
                    List.of("-- rebuild table members", "INSERT INTO new_members (id, user_id)"), List.of("-- rebuild table members", "FOREIGN KEY (team_id) REFERENCES teams(id)")),
            new Case("a changed type and NOT NULL take a rebuild that keeps the rows and the indexes", USERS + "CREATE INDEX ix_users_email ON users (email);",
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email BLOB NOT NULL, nick TEXT NOT NULL DEFAULT '');\nCREATE INDEX ix_users_email ON users (email);",
                    "INSERT INTO users (email, nick) VALUES ('a@x', 'a'), ('b@x', 'b')",
                    List.of("-- rebuild table users", "column users.email differs", "CREATE INDEX ix_users_email ON users (email);"), List.of("-- rebuild table users")),
            new Case("a column made NOT NULL with a default: the copy gives NULLs the default", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT NOT NULL DEFAULT '?');", USER_ROWS,
                    List.of("-- NULL in users.nick becomes its default '?': the column is NOT NULL now",
                            "INSERT INTO new_users (id, email, nick)\n    SELECT id, email, coalesce(nick, '?') FROM users;"),
                    List.of("SELECT id, email, nick FROM users;")),
            new Case("a rename told by --rename keeps the column's values", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, display_name TEXT);", List.of("users.nick=display_name"), USER_ROWS,
                    List.of("-- rename column users.nick to display_name\nALTER TABLE users RENAME COLUMN nick TO display_name;"),
                    List.of("ALTER TABLE users RENAME COLUMN display_name TO nick;")),
            new Case("a rename not told is a drop plus an add, and says so", USERS,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, display_name TEXT);", USER_ROWS,
                    List.of("-- table users: column nick dropped and display_name added: a rename cannot be told from the two schemas",
                            "run again with --rename users.nick=display_name", "ALTER TABLE users DROP COLUMN nick;\nALTER TABLE users ADD COLUMN display_name TEXT;"),
                    List.of("ALTER TABLE users DROP COLUMN display_name;\nALTER TABLE users ADD COLUMN nick TEXT;")),
            new Case("a table rename told by --rename", USERS, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT);",
                    List.of("users=accounts"), USER_ROWS,
                    List.of("ALTER TABLE users RENAME TO accounts;"), List.of("ALTER TABLE accounts RENAME TO users;")),
            new Case("indexes added, dropped and changed", USERS + "CREATE INDEX ix_a ON users (email);\nCREATE INDEX ix_b ON users (nick);",
                    USERS + "CREATE UNIQUE INDEX ix_a ON users (email);\nCREATE INDEX ix_c ON users (nick, email);", USER_ROWS,
                    List.of("DROP INDEX ix_a;\nDROP INDEX ix_b;\nCREATE UNIQUE INDEX ix_a ON users (email);\nCREATE INDEX ix_c ON users (nick, email);"),
                    List.of("CREATE INDEX ix_a ON users (email);\nCREATE INDEX ix_b ON users (nick);")),
            new Case("views and triggers that refer to a rebuilt table are dropped first and created again",
                    USERS + "CREATE TABLE log (what TEXT);\nCREATE VIEW v_users AS SELECT id, email FROM users;\n"
                            + "CREATE TRIGGER log_users AFTER INSERT ON log BEGIN UPDATE users SET nick = NEW.what WHERE id = 1; END;\n"
                            + "CREATE TRIGGER users_lower AFTER INSERT ON users BEGIN UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id; END;",
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT NOT NULL DEFAULT '-');\nCREATE TABLE log (what TEXT);\n"
                            + "CREATE VIEW v_users AS SELECT id, email FROM users;\n"
                            + "CREATE TRIGGER log_users AFTER INSERT ON log BEGIN UPDATE users SET nick = NEW.what WHERE id = 1; END;\n"
                            + "CREATE TRIGGER users_lower AFTER INSERT ON users BEGIN UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id; END;",
                    "INSERT INTO users (email, nick) VALUES ('a@x', 'a')",
                    List.of("DROP VIEW v_users;", "DROP TRIGGER log_users;", "-- rebuild table users", "-- create trigger log_users on log",
                            "-- create trigger users_lower on users", "-- create view v_users\nCREATE VIEW v_users AS SELECT id, email FROM users;"),
                    List.of("-- rebuild table users")),
            new Case("a new view and a changed trigger", USERS + "CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END;",
                    USERS + "CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 2; END;\nCREATE VIEW named AS SELECT nick FROM users WHERE nick IS NOT NULL;", USER_ROWS,
                    List.of("DROP TRIGGER t;", "CREATE VIEW named AS SELECT nick FROM users WHERE nick IS NOT NULL;", "BEGIN SELECT 2; END;"),
                    List.of("DROP VIEW named;", "BEGIN SELECT 1; END;")),
            new Case("an AUTOINCREMENT table keeps its sequence through a rebuild",
                    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT);",
                    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL DEFAULT 'x');",
                    "INSERT INTO events (kind) VALUES ('a'), ('b'), ('c');\nDELETE FROM events WHERE id = 3",
                    List.of("UPDATE sqlite_sequence SET name = 'new_events' WHERE name = 'events';"), List.of("-- rebuild table events")),
            new Case("WITHOUT ROWID and STRICT are table options: rebuild", "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT);",
                    "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID, STRICT;", "INSERT INTO kv VALUES ('a', '1'), ('b', '2')",
                    List.of("CREATE TABLE new_kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID, STRICT;"), List.of("CREATE TABLE new_kv (k TEXT PRIMARY KEY, v TEXT);")),
            new Case("names that need quotes", "CREATE TABLE \"order\" (id INTEGER PRIMARY KEY, \"group\" TEXT);",
                    "CREATE TABLE \"order\" (id INTEGER PRIMARY KEY, \"group\" TEXT NOT NULL DEFAULT 'g', \"select\" TEXT);",
                    "INSERT INTO \"order\" (\"group\") VALUES ('a')",
                    List.of("CREATE TABLE new_order", "INSERT INTO new_order (id, \"group\")\n    SELECT id, coalesce(\"group\", 'g') FROM \"order\";",
                            "ALTER TABLE new_order RENAME TO \"order\";"), List.of("-- rebuild table order")));

    @Test
    void eachPairIsWrittenProvenAndWorksOnARealDatabaseWithRows() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Case c : CASES) {
            try {
                check(c);
            } catch (AssertionError | Exception e) {
                failures.add(c.name() + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), failures);
    }

    private void check(Case c) throws Exception {
        Path root = Files.createTempDirectory(dir, "case");
        Path migrations = Files.createDirectory(root.resolve("migrations"));
        TestDb.write(migrations, "V1__start.sql", c.before());
        Path schema = TestDb.write(root, "schema.sql", c.after());
        MigrationAuthor.Result result = author(migrations, schema, c.renames());
        assertEquals(2, result.written().size(), "written");
        String forward = Files.readString(migrations.resolve("V2__next.sql"));
        String undo = Files.readString(migrations.resolve("U2__next.sql"));
        for (String fragment : c.forward()) {
            assertTrue(forward.contains(fragment), "V2 holds " + fragment + "\n" + forward);
        }
        for (String fragment : c.undo()) {
            assertTrue(undo.contains(fragment), "U2 holds " + fragment + "\n" + undo);
        }
        assertEquals(List.of(), MigrationLinter.lint(MigrationSet.fromDirectory(migrations), true).stream()
                .filter(f -> f.severity() == MigrationLinter.Severity.ERROR).toList(), "lint --round-trip");

        Path db = root.resolve("app.db");
        MigrationEngine engine = new MigrationEngine(SqliteDatabase.creating(db, Duration.ofSeconds(2)), MigrationSet.fromDirectory(migrations).requireValid());
        Units.upgrade(engine, "1");
        execute(db, c.rows());
        SchemaFingerprint atOne = fingerprint(db);
        Map<String, Integer> counts = rowCounts(db);
        Units.upgrade(engine, "2");
        assertEquals(List.of(), fingerprint(db).differencesFrom(fingerprint(schema)), "upgrade gives SCHEMA");
        Map<String, Integer> upgraded = rowCounts(db);
        counts.forEach((table, count) -> assertEquals(upgraded.getOrDefault(table, count), count, "rows of " + table + " after upgrade"));
        Units.downgrade(engine, "1");
        assertEquals(List.of(), fingerprint(db).differencesFrom(atOne), "downgrade gives the schema back");
        assertEquals(counts, rowCounts(db), "rows after downgrade");
    }

    @Test
    void theRowsOfARebuiltTableKeepTheirValuesAndTheSequenceGoesOn() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        TestDb.write(migrations, "V1__start.sql", "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, at TEXT);");
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL DEFAULT 'x', at TEXT);");
        author(migrations, schema, List.of());
        Path db = dir.resolve("app.db");
        MigrationEngine engine = new MigrationEngine(SqliteDatabase.creating(db, Duration.ofSeconds(2)), MigrationSet.fromDirectory(migrations).requireValid());
        Units.upgrade(engine, "1");
        execute(db, "INSERT INTO events (kind, at) VALUES ('a', '1'), ('b', '2'), ('c', '3');\nDELETE FROM events WHERE id = 3");
        Units.upgrade(engine, "2");
        assertEquals(List.of("1|a|1", "2|b|2"), TestDb.strings(db, "SELECT id || '|' || kind || '|' || at FROM events ORDER BY id"));
        execute(db, "INSERT INTO events (kind) VALUES ('d')");
        assertEquals(List.of("4"), TestDb.strings(db, "SELECT max(id) FROM events"), "id 3 is not handed out again");
    }

    @Test
    void aColumnMadeNotNullWithoutDefaultIsWrittenWithACaution() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        TestDb.write(migrations, "V1__start.sql", USERS);
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT NOT NULL);");
        MigrationAuthor.Result result = author(migrations, schema, List.of());
        String caution = "users.nick becomes NOT NULL without a DEFAULT: V2__next.sql fails (and changes nothing) where a row holds NULL in it; "
                + "give those rows a value first (crystal-db rehearse on a copy of production shows it)";
        assertEquals(List.of(caution), result.warnings());
        assertTrue(Files.readString(migrations.resolve("V2__next.sql")).contains("-- " + caution + "\n"));

        Path db = dir.resolve("app.db");
        MigrationEngine engine = new MigrationEngine(SqliteDatabase.creating(db, Duration.ofSeconds(2)), MigrationSet.fromDirectory(migrations).requireValid());
        Units.upgrade(engine, "1");
        execute(db, USER_ROWS);
        CrystalDbException failed = assertThrows(CrystalDbException.class, () -> Units.upgrade(engine, "2"));
        assertTrue(failed.getMessage().contains("NOT NULL constraint failed: new_users.nick"), failed.getMessage());
        assertEquals(List.of("1:1"), TestDb.history(db), "the failed upgrade changed nothing");
        execute(db, "UPDATE users SET nick = 'b' WHERE nick IS NULL");
        Units.upgrade(engine, "2");
        assertEquals(List.of("a", "b", "c"), TestDb.strings(db, "SELECT nick FROM users ORDER BY id"));
    }

    @Test
    void noDifferenceWritesNothing() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        TestDb.write(migrations, "V1__start.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nALTER TABLE users ADD COLUMN nick TEXT;");
        Path schema = TestDb.write(dir, "schema.sql", "create table \"Users\" (\n  id integer primary key,\n  email text not null,\n  nick text\n);");
        MigrationAuthor.Result result = author(migrations, schema, List.of());
        assertTrue(result.nothingToDo());
        assertEquals(List.of("V1__start.sql"), names(migrations));
    }

    /** Changes that cannot be written or proven: exit 4, one message naming why, nothing written. */
    @Test
    void changesThatCannotBeWrittenAreRefusedAndNothingIsWritten() throws Exception {
        String[][] cases = {
            {"a NOT NULL column without a default", USERS, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT, phone TEXT NOT NULL);",
                "cannot write this migration: column users.phone is NOT NULL without a DEFAULT, so the rows users already has cannot take it; "
                        + "give it a DEFAULT in SCHEMA (or add it nullable, fill it, then make it NOT NULL in a later migration); nothing was written "
                        + "(write it by hand: crystal-db new DESCRIPTION)"},
            {"a drop that cannot be undone", USERS, "CREATE TABLE users (id INTEGER PRIMARY KEY, nick TEXT);",
                "cannot write this migration: U2__next.sql cannot put column users.email back: it is NOT NULL without a DEFAULT, so the rows users keeps "
                        + "cannot take it, and dropping it cannot be undone automatically; give it a DEFAULT in a migration first; nothing was written "
                        + "(write it by hand: crystal-db new DESCRIPTION)"},
            {"the proof fails: rows that would break a new foreign key", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL);",
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);\n"
                        + "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id));",
                "cannot write this migration: V2__next.sql leaves rows that break a foreign key on a scratch database with sample rows "
                        + "(table orders rowid 1 refers to a missing row in customers); existing rows would have to be fixed first; nothing was written "
                        + "(write it by hand: crystal-db new DESCRIPTION)"},
            {"rows the new layout cannot hold", "CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT) STRICT;",
                "CREATE TABLE items (id INTEGER PRIMARY KEY, code INTEGER) STRICT;",
                "cannot write this migration: V2__next.sql fails on a scratch database with sample rows at `INSERT INTO new_items (id, code)`: "
                        + "cannot store TEXT value in INTEGER column new_items.code; nothing was written (write it by hand: crystal-db new DESCRIPTION)"},
        };
        List<String> failures = new ArrayList<>();
        for (String[] c : cases) {
            Path root = Files.createTempDirectory(dir, "refused");
            Path migrations = Files.createDirectory(root.resolve("migrations"));
            TestDb.write(migrations, "V1__start.sql", c[1]);
            Path schema = TestDb.write(root, "schema.sql", c[2]);
            CrystalDbException error = assertThrows(CrystalDbException.class, () -> author(migrations, schema, List.of()), c[0]);
            if (error.exitCode() != ExitCode.CHECK_FAILED || !error.getMessage().equals(c[3]) || !names(migrations).equals(List.of("V1__start.sql"))) {
                failures.add(c[0] + ": exit " + error.exitCode() + ", " + error.getMessage() + ", files " + names(migrations));
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void aRenameOfSomethingThatIsNotThereIsRefused() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        TestDb.write(migrations, "V1__start.sql", USERS);
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, display_name TEXT);");
        CrystalDbException error = assertThrows(CrystalDbException.class, () -> author(migrations, schema, List.of("users.nickname=display_name")));
        assertEquals(ExitCode.USAGE, error.exitCode());
        assertEquals("--rename users.nickname=display_name: there is no column users.nickname to rename", error.getMessage());
        error = assertThrows(CrystalDbException.class, () -> author(migrations, schema, List.of("users.nick=shown_name")));
        assertEquals("--rename users.nick=shown_name: the new schema has no column users.shown_name", error.getMessage());
        error = assertThrows(CrystalDbException.class, () -> author(migrations, schema, List.of("users.nick")));
        assertTrue(error.getMessage().startsWith("--rename users.nick: write OLD=NEW for a table or TABLE.OLD=NEW for a column"), error.getMessage());
        assertEquals(List.of("V1__start.sql"), names(migrations));
    }

    @Test
    void theFirstMigrationOfANewProjectCreatesEverything() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        Path schema = TestDb.write(dir, "schema.sql", USERS + "CREATE INDEX ix_users_email ON users (email);");
        MigrationAuthor.Result result = author(migrations, schema, List.of());
        assertEquals("the empty schema (no migrations yet)", result.from());
        assertEquals(List.of("U1__next.sql", "V1__next.sql"), names(migrations));
        assertTrue(Files.readString(migrations.resolve("U1__next.sql")).contains("DROP TABLE users;"));
    }

    /** The cases of the SQL written: with --allow-data-loss, the refusal of a lossy pair is tested on its own below. */
    private MigrationAuthor.Result author(Path migrations, Path schema, List<String> renames) {
        return author(migrations, schema, renames, true);
    }

    private MigrationAuthor.Result author(Path migrations, Path schema, List<String> renames, boolean allowDataLoss) {
        return new MigrationAuthor(new MigrationScaffold(Clock.systemUTC())).write(migrations, "next", schema, Renames.parse(renames), allowDataLoss);
    }

    @Test
    void aPairThatDropsDataIsRefusedWithoutAllowDataLossAndALikelyRenameIsNamed() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        TestDb.write(migrations, "V1__start.sql", USERS + "CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT);\n");
        Path renamed = TestDb.write(dir, "renamed.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT);\n"
                + "CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT);\n");
        CrystalDbException rename = assertThrows(CrystalDbException.class, () -> author(migrations, renamed, List.of(), false));
        assertEquals(ExitCode.USAGE, rename.exitCode());
        assertEquals("V2__next.sql would drop column users.nick and its values (users.nickname, added beside it, looks like it renamed); nothing was written: "
                + "run again with --rename users.nick=nickname to keep the data, or with --allow-data-loss to drop it", rename.getMessage());

        Path dropped = TestDb.write(dir, "dropped.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, age INTEGER);\n");
        CrystalDbException drop = assertThrows(CrystalDbException.class, () -> author(migrations, dropped, List.of(), false));
        assertEquals("V2__next.sql would drop column users.nick and its values, table sessions and its rows; nothing was written: "
                + "run again with --allow-data-loss to drop them", drop.getMessage(), "nick (TEXT) cannot be age (INTEGER) renamed: no rename is offered");

        Path display = TestDb.write(dir, "display.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, display_name TEXT);\n"
                + "CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT);\n");
        assertEquals("V2__next.sql would drop column users.nick and its values; nothing was written: run again with --allow-data-loss to drop it "
                + "(or with --rename users.nick=display_name if that is a rename)",
                assertThrows(CrystalDbException.class, () -> author(migrations, display, List.of(), false)).getMessage(),
                "a name not alike, but a column that could hold the values");
        assertEquals(List.of("V1__start.sql"), names(migrations));

        MigrationAuthor.Result kept = author(migrations, renamed, List.of("users.nick=nickname"), false);
        assertEquals(List.of(), kept.dataLoss(), "a rename loses nothing");
        assertEquals(List.of("U2__next.sql", "V2__next.sql"), names(migrations).stream().filter(n -> n.contains("2__")).toList());
    }

    @Test
    void aRenameOfWhatAnEarlierRunAlreadyDroppedNamesTheFilesToDelete() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        TestDb.write(migrations, "V1__start.sql", USERS);
        Path schema = TestDb.write(dir, "schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT);\n");
        MigrationAuthor.Result lossy = author(migrations, schema, List.of(), true);
        assertEquals(List.of("column users.nick"), lossy.dataLoss());
        assertTrue(Files.readString(migrations.resolve("V2__next.sql")).contains("-- It drops column users.nick with their data (written with --allow-data-loss)."));
        CrystalDbException again = assertThrows(CrystalDbException.class, () -> author(migrations, schema, List.of("users.nick=nickname"), false));
        assertEquals(ExitCode.USAGE, again.exitCode());
        assertEquals("--rename users.nick=nickname: V2__next.sql, the newest migration (written by an earlier run of new --from), already drops column users.nick; "
                + "nothing was written: if no database has applied version 2 yet, delete " + migrations.resolve("V2__next.sql") + " and "
                + migrations.resolve("U2__next.sql") + " and run again", again.getMessage());
        assertEquals(List.of("U2__next.sql", "V1__start.sql", "V2__next.sql"), names(migrations));
    }

    @Test
    void looksRenamedTellsAlikeNamesApart() {
        for (String[] alike : new String[][]{{"nick", "nickname"}, {"user_name", "username"}, {"adress", "address"}, {"email", "email_address"}, {"Email", "mail"}}) {
            assertTrue(Renames.looksRenamed(alike[0], alike[1]), String.join(" ", alike));
        }
        for (String[] apart : new String[][]{{"nick", "age"}, {"email", "phone"}, {"id", "uid2"}, {"created", "deleted_by"}}) {
            assertFalse(Renames.looksRenamed(apart[0], apart[1]), String.join(" ", apart));
        }
    }

    private static List<String> names(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void execute(Path db, String sql) throws Exception {
        TestDb.execute(db, SqlSplitter.split(sql).stream().map(SqlStatement::text).toArray(String[]::new));
    }

    /** The fingerprint of a database file, or of a .sql file run into a scratch database. */
    private SchemaFingerprint fingerprint(Path file) throws Exception {
        Path db = file;
        if (file.toString().endsWith(".sql")) {
            db = file.resolveSibling(file.getFileName() + ".db");
            Files.deleteIfExists(db);
            execute(db, Files.readString(file));
        }
        try (Connection connection = TestDb.connect(db)) {
            return new SchemaReader().read(connection);
        }
    }

    /** Rows per table; a table renamed by a case (users to accounts) counts as the table it was. */
    private static Map<String, Integer> rowCounts(Path db) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (String table : TestDb.strings(db, "SELECT name FROM sqlite_master WHERE type = 'table'")) {
            if (!SchemaReader.isSchemaObject(table)) {
                continue;
            }
            counts.put(table.equals("accounts") ? "users" : table, Integer.parseInt(TestDb.strings(db, "SELECT count(*) FROM \"" + table + "\"").get(0)));
        }
        return counts;
    }

    @Test
    void aTemplateStillToBeWrittenIsRefusedFirst() throws Exception {
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        new MigrationScaffold(Clock.systemUTC()).create(migrations, "later");
        Path schema = TestDb.write(dir, "schema.sql", USERS);
        CrystalDbException error = assertThrows(CrystalDbException.class, () -> author(migrations, schema, List.of()));
        assertEquals(ExitCode.USAGE, error.exitCode());
        assertTrue(error.getMessage().startsWith("V1__later.sql is still the template crystal-db new wrote"), error.getMessage());
        assertFalse(Files.exists(migrations.resolve("V2__next.sql")));
    }
}
