package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertNoStackTrace;
import static dev.crystaldb.it.CrystalDb.await;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.historyRows;
import static dev.crystaldb.it.CrystalDb.integrityCheck;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.sha256;
import static dev.crystaldb.it.CrystalDb.slowInsert;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PRODUCT.md §5: a second crystal-db run, or the app's own write lock, is waited for up to --lock-timeout, then exit 3. */
class LockingIT {
    static final long SLOW_ITERATIONS = 20_000_000;

    @TempDir
    Path dir;

    // ------------------------------------------------------------ the app holds SQLite's write lock

    @Test
    @Timeout(120)
    void anAppHoldingTheWriteLockMakesUpgradeExit3AndChangeNothingThenItSucceedsOnceReleased() throws Exception {
        // No bound on the wall time here (the next test bounds it), and --lock-timeout 0: not waiting at all is exit 3
        // too. The process timeout still applies.
        upgradeWhileTheAppHoldsTheWriteLock("0", CrystalDb.TIMEOUT);
    }

    @Test
    @Timeout(120)
    void anAppHoldingTheWriteLockIsReportedWithinTheLockTimeout() throws Exception {
        upgradeWhileTheAppHoldsTheWriteLock("1", Duration.ofSeconds(15));
    }

    private void upgradeWhileTheAppHoldsTheWriteLock(String lockTimeout, Duration maxWallTime) throws Exception {
        Path db = databaseAtVersion1WithV2Pending();
        List<String> historyBefore = historyRows(db);
        // hashed now: reading the file with plain Java I/O while this JVM holds an SQLite lock would drop that lock
        // (POSIX fcntl locks belong to the process and go away when any descriptor of the file is closed)
        String bytesBefore = sha256(db);

        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN IMMEDIATE"); // the app is in a write transaction and stays there

            CrystalDb.Result busy = run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", lockTimeout);

            assertEquals(3, busy.exitCode(), busy::describe);
            assertTrue(busy.elapsed().compareTo(maxWallTime) < 0, () -> "took longer than " + maxWallTime.toSeconds() + " s:\n" + busy.describe());
            assertNoStackTrace(busy);
            List<String> errors = busy.errorLines();
            assertEquals(1, errors.size(), busy::describe);
            assertTrue(errors.get(0).contains("in use") && errors.get(0).contains("--lock-timeout"), busy::describe);
            assertEquals(1, busy.stderrLines().stream().filter(l -> l.contains("in use")).count(), busy::describe);

            assertEquals(historyBefore, historyRows(db)); // JDBC reads share SQLite's per-process lock bookkeeping: safe
            assertFalse(tableExists(db, "two"));

            statement.execute("ROLLBACK"); // the app lets go, having written nothing
        }
        assertEquals(bytesBefore, sha256(db), "the database file changed although the upgrade was refused");

        CrystalDb.Result after = ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", "1");
        assertNoStackTrace(after);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertTrue(tableExists(db, "two"));
    }

    @Test
    @Timeout(120)
    void anUpgradeWaitsForAnAppThatReleasesItsWriteLockWithinTheTimeout() throws Exception {
        Path db = databaseAtVersion1WithV2Pending();
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try (CrystalDb.Run upgrade = CrystalDb.start(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y",
                    "--lock-timeout", "30")) {
                // hold the lock for a while after crystal-db started, then commit as a well-behaved app would
                Thread.sleep(3000);
                assertTrue(upgrade.isAlive(), "the upgrade did not wait for the app's write lock\n" + upgrade.stderrSoFar());
                statement.execute("INSERT INTO one (id) VALUES (42)");
                statement.execute("COMMIT");
                CrystalDb.Result result = upgrade.await();
                assertEquals(0, result.exitCode(), result::describe);
            }
        }
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertEquals(1, count(db, "one"), "the app's own write survived");
    }

    /** Issue 12, item 3: the wait is announced at once, naming the holder; a run that ends busy leaves no backup. */
    @Test
    @Timeout(120)
    void waitingForTheAppsWriteLockIsAnnouncedAtOnceWithItsHolderAndABusyRunLeavesNoBackup() throws Exception {
        Path db = databaseAtVersion1WithV2Pending();
        ok(dir, "--db", db.toString(), "--migrations", "m", "stamp", "1"); // a database with data would be backed up first
        String bytesBefore = sha256(db);
        CrystalDb.Result busy;
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try (CrystalDb.Run upgrade = CrystalDb.start(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", "8")) {
                String announced = "waiting for the write lock on " + db + ", held by pid " + ProcessHandle.current().pid() + " (java)";
                await(Duration.ofSeconds(3).plus(CrystalDb.STARTUP), () -> upgrade.stderrSoFar().contains(announced) || !upgrade.isAlive(),
                        "the wait is announced");
                assertTrue(upgrade.isAlive() && upgrade.stderrSoFar().contains(announced), "not announced while waiting:\n" + upgrade.stderrSoFar());
                busy = upgrade.await();
            }
            statement.execute("ROLLBACK");
        }
        assertEquals(3, busy.exitCode(), busy::describe);
        assertTrue(busy.errorLines().get(0).contains("pid " + ProcessHandle.current().pid()), busy::describe);
        assertFalse(busy.stderr().contains("backing up"), busy::describe);
        assertEquals(List.of(), CrystalDb.fileNames(dir.resolve("backups")), "a run that ended busy left a backup");
        assertEquals(bytesBefore, sha256(db));
    }

    /**
     * Review of issue 12: in rollback-journal mode the commit needs SQLite's exclusive lock, which
     * an app's open read keeps it from taking. That run ends busy after its backup was written;
     * the backup goes again, so retries under Restart= do not pile up copies.
     */
    @Test
    @Timeout(120)
    void anUpgradeWhoseCommitEndsBusyBehindAnAppsReadLeavesNoBackup() throws Exception {
        Path db = databaseAtVersion1WithV2Pending();
        assertEquals("delete", CrystalDb.scalar(db, "PRAGMA journal_mode"));
        String bytesBefore = sha256(db);
        CrystalDb.Result busy;
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN");
            try (var rows = statement.executeQuery("SELECT count(*) FROM one")) {
                assertTrue(rows.next()); // the read transaction holds SQLite's shared lock until it ends
                busy = run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", "2");
            }
            statement.execute("ROLLBACK");
        }
        assertEquals(3, busy.exitCode(), busy::describe);
        assertNoStackTrace(busy);
        assertTrue(busy.stderr().contains("backup: "), "the backup was taken before the commit: " + busy.describe());
        assertEquals(List.of(), CrystalDb.fileNames(dir.resolve("backups")), "a run that ended busy left its backup");
        assertEquals(bytesBefore, sha256(db));
        assertEquals(List.of("1"), appliedVersions(db));
    }

    /**
     * The pre-upgrade backup is taken under SQLite's write lock and the migrations run under the
     * same lock: with an app committing every 20 ms, the state the first migration sees is exactly
     * the backup's, so no commit falls between them.
     */
    @Test
    @Timeout(120)
    void nothingTheAppCommitsFallsBetweenThePreUpgradeBackupAndTheUpgrade() throws Exception {
        migrations(dir.resolve("m"),
                "V1__seq.sql", "CREATE TABLE seq (id INTEGER PRIMARY KEY);\n",
                "V2__snapshot.sql", "CREATE TABLE snapshot AS SELECT count(*) AS rows, max(id) AS last FROM seq;\n");
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "1", "--create", "-q");
        try (CommittingWriter app = CommittingWriter.start(db, "seq", dir.resolve("committed.log"))) {
            await(Duration.ofSeconds(30), () -> app.committed().size() > 20, "the app is committing");
            ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", "10");
            Thread.sleep(200);
        }
        Path backup = dir.resolve("backups").resolve(CrystalDb.fileNames(dir.resolve("backups")).get(0));
        String inBackup = CrystalDb.scalar(backup, "SELECT count(*) || ':' || max(id) FROM seq");
        assertEquals(inBackup, CrystalDb.scalar(db, "SELECT rows || ':' || last FROM snapshot"),
                "the upgrade saw another state than its backup holds: a commit fell between them");
        assertTrue(count(db, "seq") > Long.parseLong(inBackup.split(":")[0]), "the app went on committing after the upgrade");
    }

    private Path databaseAtVersion1WithV2Pending() {
        migrations(dir.resolve("m"),
                "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n",
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);\n");
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "1", "--create", "-q");
        assertEquals(List.of("1"), appliedVersions(db));
        return db;
    }

    // ------------------------------------------------------------ another crystal-db run holds crystal-db's lock

    @Test
    @Timeout(120)
    void aSecondUpgradeDuringALongOneExits3AndTheFirstAppliesEachVersionOnce() throws Exception {
        LongRun first = startLongUpgrade();
        try (CrystalDb.Run upgrade = first.run) {
            CrystalDb.Result second = run(dir, "--db", first.db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", "1");
            assertTrue(upgrade.isAlive(), "the first upgrade ended before the second one was refused; make V2 slower");

            assertEquals(3, second.exitCode(), second::describe);
            assertTrue(second.elapsed().compareTo(Duration.ofSeconds(15)) < 0, second::describe);
            assertNoStackTrace(second);
            assertEquals(1, second.errorLines().size(), second::describe);
            assertTrue(second.errorLines().get(0).contains("--lock-timeout"), second::describe);

            CrystalDb.Result firstResult = upgrade.await();
            assertEquals(0, firstResult.exitCode(), firstResult::describe);
        }
        assertEquals(List.of("1:1", "2:1"), historyRows(first.db));
        assertEquals(SLOW_ITERATIONS / 5, count(first.db, "slow"));
        assertEquals("ok", integrityCheck(first.db));
    }

    @Test
    @Timeout(120)
    void aSecondUpgradeIsToldThatAnotherCrystalDbRunIsChangingTheDatabase() throws Exception {
        LongRun first = startLongUpgrade();
        try (CrystalDb.Run upgrade = first.run) {
            CrystalDb.Result second = run(dir, "--db", first.db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", "1");
            assertTrue(upgrade.isAlive(), "the first upgrade ended before the second one was refused; make V2 slower");
            assertEquals(3, second.exitCode(), second::describe);
            assertEquals(1, second.errorLines().size(), second::describe);
            assertTrue(second.errorLines().get(0).contains("another crystal-db run"), second::describe);
            assertEquals(0, upgrade.await().exitCode());
        }
        assertEquals(List.of("1:1", "2:1"), historyRows(first.db));
    }

    @Test
    @Timeout(120)
    void anUpgradeStoppedWithSigtermInTheMiddleOfAVersionChangesNothingAndTheNextOneAppliesIt() throws Exception {
        // systemd stops a unit with SIGTERM, which reaches an ExecStartPre upgrade wherever it is
        LongRun first = startLongUpgrade();
        try (CrystalDb.Run upgrade = first.run) {
            upgrade.terminate();
            CrystalDb.Result stopped = upgrade.await(Duration.ofSeconds(30));
            assertEquals(143, stopped.exitCode(), stopped::describe);
        }
        assertEquals(List.of("1"), appliedVersions(first.db));
        assertFalse(tableExists(first.db, "slow"), "V2 was interrupted but part of it stayed");
        assertEquals("ok", integrityCheck(first.db));

        CrystalDb.Result next = run(dir, "--db", first.db.toString(), "--migrations", "m", "upgrade", "-y", "--lock-timeout", "5");
        assertEquals(0, next.exitCode(), next::describe);
        assertEquals(List.of("1:1", "2:1"), historyRows(first.db));
        assertEquals(SLOW_ITERATIONS / 5, count(first.db, "slow"));
    }

    private record LongRun(Path db, CrystalDb.Run run) {
    }

    /** A database at version 1 and a running upgrade that is in the middle of a V2 lasting several seconds. */
    private LongRun startLongUpgrade() throws Exception {
        migrations(dir.resolve("m"),
                "V1__base.sql", "CREATE TABLE base (id INTEGER PRIMARY KEY);\n",
                "V2__slow.sql", "CREATE TABLE slow (id INTEGER PRIMARY KEY, v INTEGER);\n" + slowInsert("slow", SLOW_ITERATIONS));
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "1", "--create", "-q");
        CrystalDb.Run run = CrystalDb.start(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y");
        try {
            await(Duration.ofSeconds(30), () -> run.stderrSoFar().contains("backup: ") || !run.isAlive(),
                    "the first upgrade has taken its backup and starts V2");
            Path journal = Path.of(db + "-journal");
            await(Duration.ofSeconds(30), () -> Files.exists(journal) || !run.isAlive(), "V2's transaction has begun writing");
            assertTrue(run.isAlive(), "the first upgrade ended too early:\n" + run.stderrSoFar());
            return new LongRun(db, run);
        } catch (Exception | Error e) {
            run.close();
            throw e;
        }
    }
}
