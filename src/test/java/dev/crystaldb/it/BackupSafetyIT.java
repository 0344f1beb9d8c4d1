package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.crystaldb.it.CrystalDb.assertOneErrorLine;
import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup is published only when it is a complete copy (issue 12, item 1): the app's exclusive
 * lock, a disk that fills while the copy is written and a failing fsync each end in a clear exit
 * code and no file; an upgrade whose backup failed does not run; an empty or truncated file named
 * like a backup is UNREADABLE in `backups`, never restored, never counted by retention.
 */
class BackupSafetyIT {
    @TempDir
    Path dir;

    private Path budgetAtVersion3() {
        Path db = dir.resolve("budget.db");
        ok(dir, "--db", db.toString(), "upgrade", "3", "--create", "--yes");
        try (Connection connection = connect(db); Statement statement = connection.createStatement()) {
            statement.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 24000) "
                    + "INSERT INTO users (email, name) SELECT 'u' || i || '@example.org', 'user ' || i FROM n");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return db;
    }

    /** The files a failed backup may leave: none at all in the backup directory (which may exist, empty). */
    private void assertNoBackupFiles(Path backups) {
        assertEquals(List.of(), fileNames(backups), "a failed backup left files behind");
    }

    @Test
    @Timeout(60)
    void anAppHoldingAnExclusiveLockMakesTheBackupBusyNotEmpty() throws Exception {
        Path db = budgetAtVersion3();
        String before = sha256(db);
        CrystalDb.Result result;
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN EXCLUSIVE"); // a rollback-journal app in the middle of a write
            result = run(dir, "--db", db.toString(), "--lock-timeout", "1", "backup");
            statement.execute("ROLLBACK");
        }
        assertEquals(3, result.exitCode(), result::describe);
        assertOneErrorLine(result);
        assertNoBackupFiles(dir.resolve("backups"));
        assertEquals(before, sha256(db));
        assertTrue(ok(dir, "--db", db.toString(), "backups").stdout().startsWith("no backups in "));
    }

    @Test
    @Timeout(60)
    void aDiskThatFillsWhileTheCopyIsWrittenIsExitOneAndNoFile() throws Exception {
        Path db = budgetAtVersion3();
        String before = sha256(db);
        CrystalDb.Result result = run(dir, FaultInjection.failingWrites("/.crystal-db-", "ENOSPC", 64 * 1024),
                "--db", db.toString(), "backup");
        assertEquals(1, result.exitCode(), result::describe);
        assertOneErrorLine(result);
        assertTrue(result.stderr().contains("the disk is full"), result::describe);
        assertNoBackupFiles(dir.resolve("backups"));
        assertEquals(before, sha256(db));
    }

    @Test
    @Timeout(60)
    void aFailingFsyncOfTheCopyIsExitOneAndNoFile() throws Exception {
        Path db = budgetAtVersion3();
        CrystalDb.Result result = run(dir, FaultInjection.failingFsync("/.crystal-db-"), "--db", db.toString(), "backup");
        assertEquals(1, result.exitCode(), result::describe);
        assertOneErrorLine(result);
        assertNoBackupFiles(dir.resolve("backups"));
    }

    @Test
    @Timeout(90)
    void anUpgradeWhosePreUpgradeBackupFailsDoesNotRun() throws Exception {
        Path db = budgetAtVersion3();
        String before = sha256(db);
        CrystalDb.Result result = run(dir, FaultInjection.failingWrites("/.crystal-db-", "ENOSPC", 0), "--db", db.toString(), "upgrade", "--yes");
        assertEquals(1, result.exitCode(), result::describe);
        assertTrue(result.errorLines().get(0).contains("disk is full"), result::describe);
        assertEquals(List.of("1", "2", "3"), appliedVersions(db), "the upgrade ran although its backup failed");
        assertEquals(before, sha256(db));
        assertNoBackupFiles(dir.resolve("backups"));
    }

    @Test
    @Timeout(90)
    void emptyAndTruncatedFilesAreUnreadableNeverRestoredAndNeverCountedByRetention() throws Exception {
        Path db = budgetAtVersion3();
        Path backups = dir.resolve("backups");
        ok(dir, "--db", db.toString(), "backup", "--keep", "5"); // scheduled backups, the kind --keep thins
        String older = fileNames(backups).get(0);
        Thread.sleep(1100); // names have a resolution of one second
        ok(dir, "--db", db.toString(), "backup", "--keep", "5");
        List<String> good = List.of(older, fileNames(backups).stream().filter(n -> !n.equals(older)).findFirst().orElseThrow());
        // what the bug left behind: files under backup names, newer than every good backup
        Files.write(backups.resolve("budget_20991231_235959_pre-upgrade.db"), new byte[0]);
        byte[] whole = Files.readAllBytes(backups.resolve(older));
        Files.write(backups.resolve("budget_20991231_235958.db"), Arrays.copyOf(whole, whole.length / 3));
        Files.write(backups.resolve("budget_20991231_235957.db.gz"), new byte[0]);
        String before = sha256(db);

        CrystalDb.Result list = ok(dir, "--db", db.toString(), "backups");
        for (String bad : List.of("budget_20991231_235959_pre-upgrade.db", "budget_20991231_235958.db", "budget_20991231_235957.db.gz")) {
            assertTrue(list.stdout().lines().anyMatch(line -> line.startsWith(bad) && line.contains("UNREADABLE")), list::describe);
        }
        CrystalDb.Result json = ok(dir, "--db", db.toString(), "--json", "backups");
        assertTrue(json.stdout().contains("\"problem\": \"empty (0 bytes)\""), json::describe);
        assertTrue(json.stdout().contains("\"problem\": \"truncated: "), json::describe);

        CrystalDb.Result byName = run(dir, "--db", db.toString(), "rollback", "budget_20991231_235959_pre-upgrade.db", "--yes");
        assertEquals(2, byName.exitCode(), byName::describe);
        assertOneErrorLine(byName);
        CrystalDb.Result beforeUpgrade = run(dir, "--db", db.toString(), "rollback", "--before-upgrade", "--yes");
        assertEquals(2, beforeUpgrade.exitCode(), "the only pre-upgrade backup is empty:\n" + beforeUpgrade.describe());
        assertEquals(before, sha256(db), "a refused rollback changed the database");
        assertEquals(24000, count(db, "users"));

        // --latest skips what is plainly broken and restores the newest whole backup
        ok(dir, "--db", db.toString(), "rollback", "--latest", "--yes");
        assertEquals(24000, count(db, "users"));

        // retention keeps the newest two whole backups; the broken files neither count nor go
        ok(dir, "--db", db.toString(), "backup", "--keep", "2");
        List<String> after = fileNames(backups);
        assertTrue(after.containsAll(List.of("budget_20991231_235959_pre-upgrade.db", "budget_20991231_235958.db",
                "budget_20991231_235957.db.gz")), after.toString());
        assertTrue(after.contains(good.get(1)), "a whole backup was pruned in favour of broken ones: " + after);
        assertFalse(after.contains(good.get(0)), "retention kept more than two whole plain backups: " + after);
    }

    @Test
    @Timeout(60)
    void aSourceThatIsNoDatabaseIsRefusedAndAFullDiskIsNeverBadInput() throws Exception {
        Path db = budgetAtVersion3();
        Map<String, String> full = FaultInjection.failingWrites("/.crystal-db-", "ENOSPC", 0);
        CrystalDb.Result result = run(dir, full, "--db", db.toString(), "backup", "--compress");
        assertEquals(1, result.exitCode(), "a full disk is exit 1, not 2:\n" + result.describe());
        assertFalse(result.stderr().contains("is not an SQLite database"), result::describe);
    }
}
