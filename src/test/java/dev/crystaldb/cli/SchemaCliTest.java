package dev.crystaldb.cli;

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
                "INSERT INTO alembic_version VALUES ('add_date_to_income')", "INSERT INTO users(email, name) VALUES ('a@example.org', 'A')");
    }

    @Test
    void stampDetectThenUpgradeIsTheFirstDeploymentOfAnUnversionedDatabase() throws Exception {
        unversionedAtVersion3();
        Cli.Run stamp = Cli.run("--db", db().toString(), "stamp", "--detect", "--drop-alembic-version");
        assertEquals(0, stamp.exit(), stamp.toString());
        assertTrue(stamp.err().contains("alembic_version add_date_to_income maps to version 3, and the schema confirms it"), stamp.toString());
        assertEquals(List.of("1:1", "2:1", "3:1"), TestDb.history(db()));
        assertFalse(TestDb.schema(db()).stream().anyMatch(s -> s.contains("alembic_version")));
        assertEquals(0, Cli.run("--db", db().toString(), "upgrade").exit());
        assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"));

        Cli.Run again = Cli.run("--db", db().toString(), "stamp", "--detect");
        assertEquals(0, again.exit());
        assertTrue(again.out().contains("records version 5 and its schema matches it; nothing stamped"), again.toString());
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
        assertTrue(run.out().contains("FAILED  schema matches version 5\n        extra table scratch\n        table users: missing index (shared_budget_id)\n"), run.out());
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
