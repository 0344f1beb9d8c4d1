package dev.crystaldb.migrate;

import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationLinterTest {
    @TempDir
    Path dir;

    private List<String> lint(boolean roundTrip) {
        return MigrationLinter.lint(MigrationSet.fromDirectory(dir), roundTrip).stream()
                .map(f -> f.severity().name().toLowerCase() + ": " + f.message()).toList();
    }

    @Test
    void theBundledSetIsCleanIncludingRoundTrips() {
        assertEquals(List.of(), MigrationLinter.lint(MigrationSet.bundled(), true));
    }

    @Test
    void catchesEachClassOfProblem() throws Exception {
        TestDb.write(dir, "V1__users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY);");
        TestDb.write(dir, "U1__users.sql", "DROP TABLE users;");
        TestDb.write(dir, "V2__a.sql", "SELECT 1;");
        TestDb.write(dir, "V2__b.sql", "SELECT 2;");
        TestDb.write(dir, "U9__orphan.sql", "SELECT 1;");
        TestDb.write(dir, "create_things.sql", "SELECT 1;");
        TestDb.write(dir, "V3__cleanup.sql", "DROP TABLE users;\nVACUUM;");
        TestDb.write(dir, "V4__drop_column.sql", "ALTER TABLE t DROP COLUMN c;");
        List<String> findings = lint(false);
        assertTrue(findings.contains("error: create_things.sql is not a migration name: use V<version>__<description>.sql or U<version>__<description>.sql"), findings.toString());
        assertTrue(findings.stream().anyMatch(f -> f.startsWith("error: V2__a.sql and V2__b.sql have the same version 2")
                || f.startsWith("error: V2__b.sql and V2__a.sql have the same version 2")), findings.toString());
        assertTrue(findings.contains("error: U9__orphan.sql undoes version 9 but there is no V9__*.sql: rename or remove it"), findings.toString());
        assertTrue(findings.contains("error: V3__cleanup.sql line 2: VACUUM cannot run inside a transaction; run it by hand after the upgrade (sqlite3 DB 'VACUUM')"), findings.toString());
        assertTrue(findings.contains("warning: V3__cleanup.sql line 1: DROP TABLE destroys data; make sure a backup or the undo script covers it"), findings.toString());
        assertTrue(findings.contains("warning: V4__drop_column.sql line 1: ALTER TABLE ... DROP COLUMN destroys data; make sure a backup or the undo script covers it"), findings.toString());
        assertTrue(findings.contains("warning: V3__cleanup.sql has no undo script (U3__cleanup.sql): downgrade cannot go below it"), findings.toString());
    }

    @Test
    void roundTripCatchesAnUndoThatForgetsAnIndex() throws Exception {
        TestDb.write(dir, "V1__users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);");
        TestDb.write(dir, "U1__users.sql", "DROP TABLE users;");
        TestDb.write(dir, "V2__email_index.sql", "ALTER TABLE users ADD COLUMN phone TEXT;\nCREATE INDEX ix_users_email ON users(email);");
        TestDb.write(dir, "U2__email_index.sql", "ALTER TABLE users DROP COLUMN phone;");
        assertEquals(List.of(), lint(false));
        assertEquals(List.of("error: U2__email_index.sql does not restore the schema before V2__email_index.sql: table users: extra index ix_users_email (email)"),
                lint(true));
    }

    @Test
    void roundTripCatchesAnUnstableUpUndoUp() throws Exception {
        TestDb.write(dir, "V1__t.sql", "CREATE TABLE t(id INTEGER PRIMARY KEY);");
        TestDb.write(dir, "U1__t.sql", "DROP TABLE t;");
        TestDb.write(dir, "V2__add.sql", "CREATE TABLE IF NOT EXISTS helper(x);\nALTER TABLE t ADD COLUMN n INT;");
        TestDb.write(dir, "U2__add.sql", "ALTER TABLE t DROP COLUMN n;\nCREATE TABLE IF NOT EXISTS helper(x, y);\nDROP TABLE helper;");
        List<String> findings = lint(true);
        assertEquals(List.of(), findings, "this undo is sound");

        TestDb.write(dir, "U2__add.sql", "ALTER TABLE t DROP COLUMN n;");
        assertEquals(List.of("error: U2__add.sql does not restore the schema before V2__add.sql: extra table helper"), lint(true));
    }

    @Test
    void aMigrationThatFailsOnAScratchDatabaseIsAnError() throws Exception {
        TestDb.write(dir, "V1__t.sql", "CREATE TABLE t(id INTEGER PRIMARY KEY);");
        TestDb.write(dir, "U1__t.sql", "DROP TABLE nope;");
        List<String> findings = lint(true);
        assertEquals(1, findings.size(), findings.toString());
        assertTrue(findings.get(0).startsWith("error: U1__t.sql line 1 fails on a scratch database: "), findings.toString());
    }

    @Test
    void aTableRebuildIsNoLossOfData() throws Exception {
        TestDb.write(dir, "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT);\nCREATE TABLE gone (y);\n");
        TestDb.write(dir, "U1__t.sql", "DROP TABLE t;\nDROP TABLE gone;\n");
        TestDb.write(dir, "V2__rebuild.sql", "CREATE TABLE new_t (id INTEGER PRIMARY KEY, x TEXT NOT NULL DEFAULT '');\n"
                + "INSERT INTO new_t (id, x) SELECT id, coalesce(x, '') FROM t;\nDROP TABLE \"T\";\nALTER TABLE new_t RENAME TO t;\nDROP TABLE gone;\n");
        TestDb.write(dir, "U2__rebuild.sql", "CREATE TABLE gone (y);\nCREATE TABLE old_t (id INTEGER PRIMARY KEY, x TEXT);\n"
                + "INSERT INTO old_t SELECT * FROM t;\nDROP TABLE t;\nALTER TABLE old_t RENAME TO t;\n");
        assertEquals(List.of("warning: V2__rebuild.sql line 5: DROP TABLE destroys data; make sure a backup or the undo script covers it"), lint(true));
    }
}
