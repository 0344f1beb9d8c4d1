package dev.crystaldb.cli;

import dev.crystaldb.db.DatabaseLock;
import dev.crystaldb.migrate.MigrationScript;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.ScriptChecksum;
import dev.crystaldb.support.TestDb;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** repair, and the refusal of edited migrations that names it. */
class RepairCliTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("budget.db");
    }

    private Path migrations;

    private Cli.Run run(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--db";
        all[1] = db().toString();
        all[2] = "--migrations";
        all[3] = migrations.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return Cli.run(all);
    }

    private void upgradedBundledCopy() throws Exception {
        migrations = TestDb.copyBundled(dir.resolve("m"));
        assertEquals(0, run("upgrade", "--create").exit());
    }

    private void editV3(String from, String to) throws Exception {
        Path v3 = migrations.resolve("V3__add_date_to_income.sql");
        String sql = Files.readString(v3);
        assertTrue(sql.contains(from), from);
        Files.writeString(v3, sql.replace(from, to));
    }

    private String recordedChecksum(String version) throws Exception {
        return TestDb.strings(db(), "SELECT checksum FROM flyway_schema_history WHERE version = '" + version + "'").get(0);
    }

    @Test
    void aCommentEditIsRefusedAsSuchAndRepairRecordsTheNewChecksum() throws Exception {
        upgradedBundledCopy();
        editV3("-- Example set: income gets a real date", "-- Example set:\n--   income gets a real date");
        editV3("UPDATE income SET date", "update   income set date");
        Cli.Run refused = run("downgrade", "-1");
        assertEquals(4, refused.exit(), refused.toString());
        assertEquals("crystal-db: V3__add_date_to_income.sql was changed after it was applied (its checksum differs from the history): "
                + "the edit changes only comments and whitespace, not what runs; record the file's new checksum with `crystal-db repair`\n", refused.err());
        Cli.Run verify = run("verify");
        assertEquals(4, verify.exit());
        assertTrue(verify.out().contains("the edit changes only comments and whitespace"), verify.out());

        String before = TestDb.sha256(db());
        Cli.Run dryRun = run("repair", "--dry-run");
        assertEquals(0, dryRun.exit(), dryRun.toString());
        assertTrue(dryRun.out().startsWith("  3  V3__add_date_to_income.sql: checksum " + recordedChecksum("3") + " -> "), dryRun.out());
        assertTrue(dryRun.out().contains(" (only comments and whitespace changed)\ndry run: nothing was changed"), dryRun.out());
        assertEquals(before, TestDb.sha256(db()), "--dry-run changes nothing");

        Cli.Run repair = run("repair", "--yes");
        assertEquals(0, repair.exit(), repair.toString());
        assertTrue(repair.out().startsWith("recorded the files' checksums for 1 migration(s)"), repair.out());
        MigrationScript v3 = MigrationScript.prepare(MigrationSet.fromDirectory(migrations).forwards().get(2));
        assertEquals(String.valueOf(ScriptChecksum.of(v3.runnableSql())), recordedChecksum("3"));
        assertEquals(0, run("verify").exit());
        assertEquals(0, run("downgrade", "-1", "--no-backup").exit(), "accepted after the repair");
        assertEquals(0, run("repair").exit());
        assertEquals("nothing to repair: every applied migration matches its file\n", run("repair").out());
    }

    @Test
    void anEditOfTheSqlAndOneThatCannotBeJudgedAreToldApart() throws Exception {
        upgradedBundledCopy();
        editV3("ON income (user_id, date)", "ON income (date, user_id)");
        Cli.Run statements = run("upgrade");
        assertEquals(4, statements.exit());
        assertTrue(statements.err().contains("the edit changes the SQL it runs; restore the file as it was applied, or, if the database "
                + "already is what the file now says, record it with `crystal-db repair`"), statements.err());

        TestDb.execute(db(), "DROP TABLE crystal_db_statement_checksums"); // as a database upgraded by Flyway or an older crystal-db
        Cli.Run unknown = run("upgrade");
        assertEquals(4, unknown.exit());
        assertTrue(unknown.err().contains("crystal-db cannot tell whether only comments changed (nothing was recorded when it was applied)"), unknown.err());
        assertTrue(run("repair", "--dry-run").out().contains("(whether only comments changed is not known)"));
    }

    @Test
    void aRenamedFileGetsItsNewDescription() throws Exception {
        upgradedBundledCopy();
        Files.move(migrations.resolve("V3__add_date_to_income.sql"), migrations.resolve("V3__income_date.sql"));
        Files.move(migrations.resolve("U3__add_date_to_income.sql"), migrations.resolve("U3__income_date.sql"));
        Cli.Run dryRun = run("repair", "--dry-run");
        assertTrue(dryRun.out().startsWith("  3  V3__income_date.sql: description 'add date to income' -> 'income date'\n"), dryRun.out());
        assertEquals(0, run("repair", "--yes").exit());
        assertEquals(List.of("income date"), TestDb.strings(db(), "SELECT description FROM flyway_schema_history WHERE version = '3'"));
    }

    @Test
    void flywayItselfValidatesTheRepairedHistory() throws Exception {
        migrations = dir.resolve("plain");
        TestDb.write(migrations, "V1__a.sql", "-- a\nCREATE TABLE a (x);\n");
        TestDb.write(migrations, "V2__b.sql", "CREATE TABLE b (x);\n");
        assertEquals(0, run("upgrade", "--create").exit());
        TestDb.write(migrations, "V1__a.sql", "-- the first table\nCREATE TABLE a (x);\n");
        Flyway flyway = Flyway.configure().dataSource("jdbc:sqlite:" + db(), null, null).locations("filesystem:" + migrations).load();
        assertTrue(!flyway.validateWithResult().validationSuccessful, "Flyway sees the edit too");
        assertEquals(0, run("repair", "--yes").exit());
        assertTrue(flyway.validateWithResult().validationSuccessful, "Flyway reads the checksum crystal-db recorded");
    }

    @Test
    void repairWaitsForBothLocksAndChangesNothingWhenTheyAreHeld() throws Exception {
        upgradedBundledCopy();
        editV3("-- Example set: income", "-- Example set (edited): income");
        String before = recordedChecksum("3");
        try (DatabaseLock held = DatabaseLock.acquire(db(), Duration.ofSeconds(1), holder -> { })) {
            Cli.Run busy = run("--lock-timeout", "0", "repair", "--yes");
            assertEquals(3, busy.exit(), busy.toString());
        }
        try (Connection app = TestDb.connect(db()); Statement statement = app.createStatement()) {
            statement.execute("BEGIN IMMEDIATE"); // the app writing
            Cli.Run busy = run("--lock-timeout", "1", "repair", "--yes");
            assertEquals(3, busy.exit(), busy.toString());
            statement.execute("ROLLBACK");
        }
        assertEquals(before, recordedChecksum("3"));
        assertEquals(0, run("repair", "--yes").exit());
    }
}
