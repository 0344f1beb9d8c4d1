package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.rowsDigest;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service whose ExecStartPre= upgrade fails, restarted in a loop by systemd: every failed attempt
 * rolls back, so the database is what it was, and the pre-upgrade backup the first attempt took is
 * reused instead of one more full copy per attempt. Decided on the content (what SQLite reads in
 * both), never on the file's time; a backup that no longer verifies is never reused.
 */
class BackupReuseIT {
    private static final String ACCOUNTS = "SELECT id, owner, balance FROM accounts ORDER BY id";

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aRestartLoopKeepsOnePreUpgradeBackupInRollbackJournalMode() throws Exception {
        restartLoop("DELETE");
    }

    @Test
    @Timeout(300)
    void aRestartLoopKeepsOnePreUpgradeBackupInWalMode() throws Exception {
        restartLoop("WAL");
    }

    private void restartLoop(String journalMode) throws Exception {
        Path m = migrations(dir.resolve("m"),
                "V1__accounts.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL);\n",
                // the bad release: its second statement fails, so the whole upgrade rolls back
                "V2__budgets.sql", "CREATE TABLE budgets (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL);\n"
                        + "INSERT INTO budgets (id, account_id) SELECT id, account FROM accounts;\n");
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "1", "--create", "-y");
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("PRAGMA journal_mode=" + journalMode);
            statement.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000) "
                    + "INSERT INTO accounts (owner, balance) SELECT 'owner ' || x, x * 10 FROM c");
        }
        Path backups = dir.resolve("backups");

        // four starts of the service, each one running ExecStartPre=crystal-db upgrade --yes
        String first = null;
        for (int attempt = 1; attempt <= 4; attempt++) {
            CrystalDb.Result start = run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--yes");
            assertEquals(1, start.exitCode(), start::describe);
            assertTrue(start.stderr().contains("no such column: account"), start::describe);
            List<String> preUpgrade = preUpgradeBackups();
            assertEquals(1, preUpgrade.size(), "attempt " + attempt + ": " + fileNames(backups));
            if (attempt == 1) {
                first = preUpgrade.get(0);
                assertTrue(start.stderr().contains("backup: " + backups.resolve(first)), start::describe);
            } else {
                assertTrue(start.stderr().contains("reusing pre-upgrade backup " + backups.resolve(first)
                        + ": the database has not changed since it was taken"), start::describe);
                assertFalse(start.stderr().contains("backing up "), start::describe);
            }
        }
        assertEquals(List.of("1"), appliedVersions(db));
        assertEquals(rowsDigest(db, ACCOUNTS), rowsDigest(backups.resolve(first), ACCOUNTS), "the backup holds the database as it is");
        String firstBytes = sha256(backups.resolve(first));

        // a newer file time alone is no change: still reused
        Files.setLastModifiedTime(db, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertEquals(1, run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--yes").exitCode());
        assertEquals(List.of(first), preUpgradeBackups());
        assertEquals(firstBytes, sha256(backups.resolve(first)), "reusing a backup does not touch it");

        // the app changed one value in place (same size) and the file's time was set back: a new backup all the same
        FileTime time = Files.getLastModifiedTime(db);
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("UPDATE accounts SET balance = balance + 1 WHERE id = 1000");
        }
        Files.setLastModifiedTime(db, time);
        CrystalDb.Result changed = run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--yes");
        assertEquals(1, changed.exitCode(), changed::describe);
        assertFalse(changed.stderr().contains("reusing"), changed::describe);
        List<String> two = preUpgradeBackups();
        assertEquals(2, two.size(), two.toString());
        String second = two.get(1);
        assertEquals(rowsDigest(db, ACCOUNTS), rowsDigest(backups.resolve(second), ACCOUNTS));
        assertFalse(rowsDigest(db, ACCOUNTS).equals(rowsDigest(backups.resolve(first), ACCOUNTS)));

        // a reused backup must still verify: the newest one damaged is passed over, and a new one taken
        byte[] bytes = Files.readAllBytes(backups.resolve(second));
        java.util.Arrays.fill(bytes, bytes.length / 2, bytes.length / 2 + 4096, (byte) 0x5a);
        Files.write(backups.resolve(second), bytes);
        CrystalDb.Result damaged = run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--yes");
        assertEquals(1, damaged.exitCode(), damaged::describe);
        assertTrue(damaged.stderr().contains("the newest pre-upgrade backup " + second + " does not verify ("), damaged::describe);
        List<String> three = preUpgradeBackups();
        assertEquals(3, three.size(), three.toString());
        assertEquals(rowsDigest(db, ACCOUNTS), rowsDigest(backups.resolve(three.get(2)), ACCOUNTS));

        // the fixed release applies; the backup it reuses is the state before it, which rollback --before-upgrade restores
        migrations(m, "V2__budgets.sql", "CREATE TABLE budgets (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL);\n"
                + "INSERT INTO budgets (id, account_id) SELECT id, id FROM accounts;\n");
        CrystalDb.Result fixed = ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--yes");
        assertTrue(fixed.stderr().contains("reusing pre-upgrade backup " + backups.resolve(three.get(2))), fixed::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertEquals(3, preUpgradeBackups().size());
        String beforeUpgrade = rowsDigest(backups.resolve(three.get(2)), ACCOUNTS);
        ok(dir, "--db", db.toString(), "--migrations", "m", "rollback", "--before-upgrade", "-y");
        assertEquals(beforeUpgrade, rowsDigest(db, ACCOUNTS));
        assertFalse(CrystalDb.tableExists(db, "budgets"));
    }

    /** The pre-upgrade backups, oldest first (names sort by time, then by the -N of the same second). */
    private List<String> preUpgradeBackups() {
        return fileNames(dir.resolve("backups")).stream().filter(n -> n.endsWith("_pre-upgrade.db"))
                .sorted(java.util.Comparator.comparing((String n) -> n.substring(0, 19)).thenComparing(BackupReuseIT::sequence)).toList();
    }

    private static int sequence(String name) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("_\\d{6}-(\\d+)_").matcher(name);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 1;
    }
}
