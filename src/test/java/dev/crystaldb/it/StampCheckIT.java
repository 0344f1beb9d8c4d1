package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.assertUntouched;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.create;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.snapshot;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `stamp N` records N only on a database whose live schema is N's (the comparison `stamp --detect`
 * and `verify` use); otherwise it refuses, exit 4, and changes nothing, so the next `upgrade` never
 * runs migrations on a schema they were not written for. `--force` stamps anyway and says so.
 */
class StampCheckIT {
    private static final String[] SET = {
            "V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
            "V2__accounts.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), balance INTEGER NOT NULL DEFAULT 0);\n",
            "V3__user_name.sql", "ALTER TABLE users ADD COLUMN name TEXT;\n",
            "V4__accounts_index.sql", "CREATE INDEX accounts_user ON accounts (user_id);\n",
            "V5__budgets.sql", "CREATE TABLE budgets (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id));\n",
    };

    @TempDir
    Path dir;

    /** The trap of the issue: a database another schema made, stamped 4 by hand, then upgraded to 5 with exit 0. */
    @Test
    @Timeout(180)
    void aStampOnAnotherSchemaIsRefusedAndChangesNothingUntilForced() throws Exception {
        migrations(dir.resolve("m"), SET);
        Path db = dir.resolve("app.db");
        try (Connection connection = create(db); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, mail TEXT)"); // an older app's own schema
            statement.execute("CREATE TABLE legacy_accounts (id INTEGER PRIMARY KEY, owner TEXT)");
            statement.execute("INSERT INTO users (mail) VALUES ('a@example.org')");
        }
        Map<String, String> before = snapshot(dir);

        for (List<String> stamp : List.of(List.of("stamp", "4"), List.of("stamp", "4", "--dry-run"), List.of("stamp", "head", "-y"))) {
            CrystalDb.Result refused = run(dir, concat(List.of("--db", db.toString(), "--migrations", "m"), stamp));
            assertEquals(4, refused.exitCode(), refused::describe);
            assertOneCleanErrorLine(refused);
            String error = refused.errorLines().get(0);
            assertTrue(error.startsWith("crystal-db: the live schema does not match version " + (stamp.get(1).equals("head") ? "5" : "4") + " ("), error);
            assertTrue(error.contains("missing table accounts") && error.contains("extra table legacy_accounts"), error);
            assertTrue(error.contains("more); nothing was stamped;") && error.contains(" --force` stamps ") && error.contains("`crystal-db verify`"), error);
            assertUntouched(before, dir);
        }
        assertFalse(tableExists(db, "flyway_schema_history"), "nothing was recorded");
        // so upgrade still refuses a database with tables but no history, instead of applying 5 on top of the wrong schema
        assertEquals(4, run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y").exitCode());
        assertUntouched(before, dir);

        CrystalDb.Result forced = ok(dir, "--db", db.toString(), "--migrations", "m", "stamp", "4", "--force");
        assertTrue(forced.stderr().contains("crystal-db: warning: --force: stamping version 4 although the live schema differs from it in "),
                forced::describe);
        assertEquals(List.of("1", "2", "3", "4"), appliedVersions(db));
        assertEquals(1, count(db, "users"), "no SQL was run");
        assertFalse(tableExists(db, "accounts"));
    }

    /** A database whose schema is 4's, written the way another tool writes it, is stamped; what is then pending is applied. */
    @Test
    @Timeout(180)
    void aStampOnTheRightSchemaWorksAndAStampThatWouldNotFitIsRefused() throws Exception {
        migrations(dir.resolve("m"), SET);
        Path db = dir.resolve("app.db");
        try (Connection connection = create(db); Statement statement = connection.createStatement()) {
            // SQLAlchemy's way of writing version 4: other spacing, a named table-level primary key, VARCHAR
            statement.execute("CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(255) NOT NULL, name VARCHAR(100), PRIMARY KEY (id))");
            statement.execute("CREATE TABLE accounts (id INTEGER NOT NULL, user_id INTEGER NOT NULL, balance INTEGER DEFAULT '0' NOT NULL, "
                    + "PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES users (id))");
            statement.execute("CREATE INDEX accounts_user ON accounts (user_id)");
            statement.execute("INSERT INTO users (email, name) VALUES ('a@example.org', 'A')");
            statement.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)");
            statement.execute("INSERT INTO alembic_version VALUES ('abc123')");
        }
        CrystalDb.Result stamped = ok(dir, "--db", db.toString(), "--migrations", "m", "stamp", "4", "--drop-alembic-version");
        assertTrue(stamped.stdout().contains("stamped " + db + " at version 4 (was none); no SQL was run"), stamped::describe);
        assertTrue(stamped.stderr().contains("difference(s) in how the schema is written change nothing in SQLite (not drift)"), stamped::describe);
        assertFalse(stamped.stderr().contains("warning"), stamped::describe);
        assertEquals(List.of("1", "2", "3", "4"), appliedVersions(db));
        assertFalse(tableExists(db, "alembic_version"));

        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y", "--no-backup");
        assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db));
        assertTrue(tableExists(db, "budgets"));

        // back to 3 or to base by hand: the schema is 5's, so the next upgrade would run 4 and 5 again on it
        Map<String, String> before = snapshot(dir);
        for (String target : List.of("3", "base")) {
            CrystalDb.Result refused = run(dir, "--db", db.toString(), "--migrations", "m", "stamp", target);
            assertEquals(4, refused.exitCode(), refused::describe);
            assertOneCleanErrorLine(refused);
            assertTrue(refused.errorLines().get(0).contains("the live schema does not match version " + target + " (")
                    && refused.errorLines().get(0).contains("extra table budgets"), refused::describe);
        }
        assertUntouched(before, dir);
        assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db));
    }

    /** When version N's schema cannot be worked out (its script fails on an empty scratch database), nothing is stamped unchecked. */
    @Test
    @Timeout(180)
    void aVersionWhoseSchemaCannotBeWorkedOutIsStampedOnlyWithForce() throws Exception {
        migrations(dir.resolve("m"),
                "V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
                // reads a table the old app made by hand: fine on the real database, fails on a scratch one
                "V2__import.sql", "INSERT INTO users (email) SELECT mail FROM legacy_users;\n");
        Path db = dir.resolve("app.db");
        try (Connection connection = create(db); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
        }
        Map<String, String> before = snapshot(dir);
        CrystalDb.Result refused = run(dir, "--db", db.toString(), "--migrations", "m", "stamp", "2");
        assertEquals(4, refused.exitCode(), refused::describe);
        assertOneCleanErrorLine(refused);
        assertTrue(refused.errorLines().get(0).startsWith("crystal-db: the schema of version 2 cannot be worked out (V2__import.sql "), refused::describe);
        assertTrue(refused.errorLines().get(0).endsWith("nothing was stamped; `crystal-db stamp 2 --force` stamps it unchecked"), refused::describe);
        assertUntouched(before, dir);

        // version 1 can be checked, and matches
        ok(dir, "--db", db.toString(), "--migrations", "m", "stamp", "1");
        assertEquals(List.of("1"), appliedVersions(db));

        CrystalDb.Result forced = ok(dir, "--db", db.toString(), "--migrations", "m", "stamp", "2", "--force");
        assertTrue(forced.stderr().contains("warning: --force: stamping version 2 without checking the live schema"), forced::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db));
    }

    private static String[] concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toArray(String[]::new);
    }
}
