package dev.crystaldb.cli;

import dev.crystaldb.support.Alembic;
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

/** stamp --detect, verify's drift check, rehearse and lint as an operator runs them. */
class SchemaCliTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("budget.db");
    }

    /** A database at version 3 made by crystal-db, then its history removed: what an unversioned production copy looks like. */
    private void unversionedAtVersion3() throws Exception {
        assertEquals(0, Cli.run("--db", db().toString(), "upgrade", "3", "--create").exit());
        TestDb.execute(db(), "DROP TABLE flyway_schema_history", "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
                "INSERT INTO alembic_version VALUES ('crystaldb_example_3')", "INSERT INTO users(email, name) VALUES ('a@example.org', 'A')");
    }

    @Test
    void stampDetectThenUpgradeIsTheFirstDeploymentOfAnUnversionedDatabase() throws Exception {
        unversionedAtVersion3();
        Cli.Run stamp = Cli.run("--db", db().toString(), "stamp", "--detect", "--drop-alembic-version");
        assertEquals(0, stamp.exit(), stamp.toString());
        assertTrue(stamp.err().contains("alembic_version crystaldb_example_3 maps to version 3, and the schema confirms it"), stamp.toString());
        assertEquals(List.of("1:1", "2:1", "3:1"), TestDb.history(db()));
        assertFalse(TestDb.schema(db()).stream().anyMatch(s -> s.contains("alembic_version")));
        assertEquals(0, Cli.run("--db", db().toString(), "upgrade").exit());
        assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"));

        Cli.Run again = Cli.run("--db", db().toString(), "stamp", "--detect");
        assertEquals(0, again.exit());
        assertTrue(again.out().contains("records version 5 and its schema matches it; nothing stamped"), again.toString());
    }

    @Test
    void aDatabaseAlembicMadeIsAdoptedVerifiedWithoutDriftAndUpgradedAfterARehearsal() throws Exception {
        Alembic.assumeInstalled();
        Path project = Alembic.project("crystalbudget", dir.resolve("alembic"));
        Alembic.run(project, db(), "upgrade", "add_date_to_income");
        String migrations = TestDb.crystalBudgetMigrations(dir.resolve("migrations")).toString();
        TestDb.execute(db(), "INSERT INTO users (email, name) VALUES ('a@example.org', 'A')",
                "INSERT INTO categories (user_id, name) VALUES (1, 'food')");

        Cli.Run stamp = Cli.run("--db", db().toString(), "--migrations", migrations, "stamp", "--detect");
        assertEquals(0, stamp.exit(), stamp.toString());
        assertTrue(stamp.err().contains("alembic_version add_date_to_income maps to version 3, and the schema confirms it"), stamp.toString());
        assertTrue(stamp.err().contains("change nothing in SQLite (not drift):\n"), stamp.toString());
        assertTrue(stamp.err().contains("  column categories.value: expected value NUMERIC NOT NULL DEFAULT 0, found value NUMERIC NOT NULL DEFAULT '0'; "
                + "equivalent in SQLite: both defaults store integer 0 (NUMERIC affinity)\n"), stamp.toString());
        assertEquals(List.of("1:1", "2:1", "3:1"), TestDb.history(db()));

        Cli.Run verify = Cli.run("--db", db().toString(), "--migrations", migrations, "verify");
        assertEquals(0, verify.exit(), verify.toString());
        assertTrue(verify.out().contains("ok      schema matches version 3\n        note: "), verify.out());
        assertTrue(verify.out().contains("        note: column users.id: expected id INTEGER PRIMARY KEY, found id INTEGER NOT NULL PRIMARY KEY; "
                + "equivalent in SQLite: an INTEGER PRIMARY KEY is the rowid and never NULL\n"), verify.out());

        Cli.Run upgrade = Cli.run("--db", db().toString(), "--migrations", migrations, "upgrade", "--rehearse");
        assertEquals(0, upgrade.exit(), upgrade.toString());
        assertTrue(upgrade.err().contains("rehearsal passed: 2 migration(s)"), upgrade.toString());
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db()));
        assertEquals(List.of("food"), TestDb.strings(db(), "SELECT name FROM categories"));
        assertEquals(0, Cli.run("--db", db().toString(), "--migrations", migrations, "verify").exit());
    }

    @Test
    void stampDetectDryRunReportsAndChangesNothingThenStampingSaysWhatToRunNext() throws Exception {
        unversionedAtVersion3();
        Path scratch = Files.createDirectories(dir.resolve("fresh"));
        Path db = Files.copy(db(), scratch.resolve("budget.db"));
        String before = TestDb.sha256(db);
        Cli.Run dryRun = Cli.run("--db", db.toString(), "stamp", "--detect", "--dry-run", "--drop-alembic-version");
        assertEquals(0, dryRun.exit(), dryRun.toString());
        assertEquals("would stamp " + db + " at version 3 (now at no version) and remove the alembic_version table\n"
                + "2 migration(s) would then be pending (4, 5): next, `crystal-db upgrade --rehearse` rehearses them on a copy, then applies them\n"
                + "dry run: nothing was changed\n", dryRun.out());
        assertEquals(before, TestDb.sha256(db));
        try (Stream<Path> files = Files.list(scratch)) {
            assertEquals(List.of("budget.db"), files.map(p -> p.getFileName().toString()).toList(), "no lock file, no journal");
        }

        Cli.Run stamp = Cli.run("--db", db.toString(), "stamp", "--detect");
        assertEquals(0, stamp.exit(), stamp.toString());
        assertEquals("stamped " + db + " at version 3 (was none); no SQL was run\n"
                + "2 migration(s) are pending (4, 5): next, `crystal-db upgrade --rehearse` rehearses them on a copy, then applies them\n", stamp.out());
        // the schema is version 3's, not head's: stamping head would make `upgrade` skip 4 and 5
        Cli.Run head = Cli.run("--db", db.toString(), "stamp", "head", "--dry-run");
        assertEquals(4, head.exit(), head.toString());
        assertTrue(head.err().startsWith("crystal-db: the live schema does not match version 5 (missing table "), head.err());
        Cli.Run forced = Cli.run("--db", db.toString(), "stamp", "head", "--dry-run", "--force");
        assertEquals("would stamp " + db + " at version 5 (now at 3)\nnothing is pending: that is the newest migration\ndry run: nothing was changed\n",
                forced.out());
        assertTrue(forced.err().contains("crystal-db: warning: --force: stamping version 5 although the live schema differs from it in "), forced.err());
        assertEquals(List.of("1:1", "2:1", "3:1"), TestDb.history(db));
    }

    @Test
    void anAlembicRevisionNoHeaderNamesIsReported() throws Exception {
        unversionedAtVersion3();
        TestDb.execute(db(), "UPDATE alembic_version SET version_num = 'f00dcafe1234'");
        Cli.Run stamp = Cli.run("--db", db().toString(), "stamp", "--detect", "--dry-run");
        assertEquals(0, stamp.exit(), stamp.toString());
        assertTrue(stamp.err().startsWith("alembic_version f00dcafe1234 is named by no migration's `-- alembic-revision:` header in built-in \"example\"; "
                + "the version is worked out from the schema alone\nthe live schema matches version 3\n"), stamp.err());
        Cli.Run status = Cli.run("--db", db().toString(), "status", "--json");
        assertTrue(status.out().contains("\"alembic_revision\": \"f00dcafe1234\",\n  \"alembic_version_state\": \"unknown\""), status.out());
    }

    @Test
    void anAlembicVersionLeftBehindAnUpgradeIsStaleAndDropAlembicVersionRemovesIt() throws Exception {
        unversionedAtVersion3();
        assertEquals(0, Cli.run("--db", db().toString(), "stamp", "--detect").exit());
        Cli.Run adopted = Cli.run("--db", db().toString(), "status");
        assertTrue(adopted.out().contains("alembic_version: revision crystaldb_example_3 (version 3, as the history says), left in place; "
                + "`crystal-db stamp --detect --drop-alembic-version` removes it\n"), adopted.out());
        assertEquals(0, Cli.run("--db", db().toString(), "upgrade").exit());
        Cli.Run stale = Cli.run("--db", db().toString(), "status");
        assertTrue(stale.out().contains("alembic_version: stale: revision crystaldb_example_3 is version 3, but the database is at 5 "
                + "(Alembic would read the old revision); `crystal-db stamp --detect --drop-alembic-version` removes it\n"), stale.out());
        assertTrue(Cli.run("--db", db().toString(), "status", "--json").out().contains("\"alembic_version_state\": \"stale\""));

        Cli.Run drop = Cli.run("--db", db().toString(), "stamp", "--detect", "--drop-alembic-version");
        assertEquals(0, drop.exit(), drop.toString());
        assertTrue(drop.out().startsWith("the database already records version 5 and its schema matches it; nothing stamped\n"
                + "removed the alembic_version table\n"), drop.out());
        assertFalse(TestDb.schema(db()).stream().anyMatch(s -> s.contains("alembic_version")));
        assertFalse(Cli.run("--db", db().toString(), "status").out().contains("alembic_version"));
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(db()));
    }

    @Test
    void stampDetectRefusesWithoutAMatchAndChangesNothing() throws Exception {
        unversionedAtVersion3();
        TestDb.execute(db(), "CREATE TABLE audit_log (id INTEGER PRIMARY KEY)");
        String before = TestDb.sha256(db());
        Cli.Run run = Cli.run("--db", db().toString(), "stamp", "--detect");
        assertEquals(4, run.exit(), run.toString());
        assertTrue(run.err().contains("no version matches the live schema; the closest is 3:\n  extra table audit_log\n"), run.toString());
        assertTrue(run.err().endsWith("crystal-db: no version matches the live schema (closest: 3, 1 difference(s)); nothing was stamped\n"), run.toString());
        assertEquals(before, TestDb.sha256(db()));
        assertEquals(2, Cli.run("--db", db().toString(), "stamp").exit(), "neither TARGET nor --detect");
        assertEquals(2, Cli.run("--db", db().toString(), "stamp", "3", "--detect").exit(), "both");
    }

    @Test
    void stampDetectOnAVersionedDatabaseReportsDriftUnlessForced() throws Exception {
        Cli.run("--db", db().toString(), "upgrade", "2", "--create");
        TestDb.execute(db(), "ALTER TABLE income ADD COLUMN date DATE", "CREATE INDEX ix_income_user_date ON income (user_id, date)");
        Cli.Run run = Cli.run("--db", db().toString(), "stamp", "--detect");
        assertEquals(4, run.exit(), run.toString());
        assertTrue(run.err().contains("records version 2 but its schema differs (extra column income.date, and 1 more)"), run.toString());
        assertEquals(0, Cli.run("--db", db().toString(), "stamp", "--detect", "--force").exit());
        assertEquals(List.of("1:1", "2:1", "3:1"), TestDb.history(db()));
    }

    @Test
    void verifyReportsDriftFromTheRecordedVersion() throws Exception {
        Cli.run("--db", db().toString(), "upgrade", "--create");
        assertEquals(0, Cli.run("--db", db().toString(), "verify").exit());
        TestDb.execute(db(), "DROP INDEX ix_users_shared_budget_id", "CREATE TABLE scratch (x)");
        Cli.Run run = Cli.run("--db", db().toString(), "verify");
        assertEquals(4, run.exit(), run.toString());
        assertTrue(run.out().contains("FAILED  schema matches version 5\n        extra table scratch\n        table users: missing index ix_users_shared_budget_id (shared_budget_id)\n"), run.out());
    }

    @Test
    void rehearseLeavesTheDatabaseAloneAndReportsFailures() throws Exception {
        Path m = TestDb.copyBundled(dir.resolve("m"));
        Cli.run("--db", db().toString(), "--migrations", m.toString(), "upgrade", "2", "--create");
        String before = TestDb.sha256(db());
        Cli.Run ok = Cli.run("--db", db().toString(), "--migrations", m.toString(), "rehearse");
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().contains("the copy reached version 5"), ok.out());
        assertEquals(before, TestDb.sha256(db()));

        TestDb.write(m, "V6__broken.sql", "UPDATE users SET nope = 1;");
        Cli.Run failed = Cli.run("--db", db().toString(), "--migrations", m.toString(), "upgrade", "--rehearse");
        assertEquals(1, failed.exit(), failed.toString());
        assertTrue(failed.err().contains("crystal-db: rehearsal failed: V6__broken.sql line 1: "), failed.toString());
        assertEquals(before, TestDb.sha256(db()), "upgrade --rehearse applies nothing when the rehearsal fails");
        assertEquals(List.of("1:1", "2:1"), TestDb.history(db()));
        try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(), "no scratch copy and no backup left behind");
        }
    }

    @Test
    void lintRoundTripReportsAnUndoThatIsOnlyWrittenDifferentlyAsANote() throws Exception {
        Path m = Files.createDirectories(dir.resolve("m"));
        TestDb.write(m, "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v NUMERIC DEFAULT 0);");
        TestDb.write(m, "V2__w.sql", "ALTER TABLE t ADD COLUMN w TEXT;");
        TestDb.write(m, "U2__w.sql", "CREATE TABLE t_old (id INTEGER NOT NULL, v NUMERIC DEFAULT '0', PRIMARY KEY (id));\n"
                + "INSERT INTO t_old SELECT id, v FROM t;\nDROP TABLE t;\nALTER TABLE t_old RENAME TO t;");
        Cli.Run run = Cli.run("--migrations", m.toString(), "lint", "--round-trip");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("note     U2__w.sql restores the schema before V2__w.sql written differently: column t.id: "), run.out());
        assertTrue(run.out().endsWith("1 warning(s), 2 note(s); every undo script restores the schema before its migration\n"), run.out());

        TestDb.write(m, "U2__w.sql", "CREATE TABLE t_old (id INTEGER NOT NULL, v DEFAULT '0', PRIMARY KEY (id));\n"
                + "INSERT INTO t_old SELECT id, v FROM t;\nDROP TABLE t;\nALTER TABLE t_old RENAME TO t;");
        Cli.Run wrong = Cli.run("--migrations", m.toString(), "lint", "--round-trip");
        assertEquals(4, wrong.exit(), wrong.toString());
        assertTrue(wrong.out().contains("error    U2__w.sql does not restore the schema before V2__w.sql: column t.v differs: expected v NUMERIC DEFAULT 0, "
                + "found v DEFAULT '0' (BLOB affinity instead of NUMERIC; the default stores text '0' instead of integer 0)"), wrong.out());
    }

    @Test
    void lintExitCodes() throws Exception {
        assertEquals(0, Cli.run("lint", "--round-trip").exit());
        Path m = Files.createDirectories(dir.resolve("m"));
        TestDb.write(m, "V1__t.sql", "CREATE TABLE t(x);");
        assertEquals(0, Cli.run("--migrations", m.toString(), "lint").exit(), "a warning alone passes");
        assertEquals(4, Cli.run("--migrations", m.toString(), "lint", "--strict").exit());
        TestDb.write(m, "V2__bad.sql", "VACUUM;");
        Cli.Run run = Cli.run("--migrations", m.toString(), "lint");
        assertEquals(4, run.exit());
        assertTrue(run.out().endsWith("2 migration(s) in " + m.toAbsolutePath() + ": 1 error(s), 2 warning(s)\n"), run.out());
    }
}
