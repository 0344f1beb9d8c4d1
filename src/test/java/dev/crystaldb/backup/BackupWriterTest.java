package dev.crystaldb.backup;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.progress.Progress;
import dev.crystaldb.support.RecordingProgress;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupWriterTest {
    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2025-10-04T12:05:30Z"), ZoneOffset.UTC);

    @Test
    void copiesAWalDatabaseIncludingUncheckpointedCommitsIntoOneFile() throws Exception {
        Path db = dir.resolve("budget.db");
        try (Connection app = TestDb.connect(db); Statement statement = app.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA wal_autocheckpoint=0");
            statement.execute("CREATE TABLE t(x)");
            statement.execute("INSERT INTO t VALUES (1), (2), (3)");
            assertTrue(Files.size(Path.of(db + "-wal")) > 0, "rows are still in the WAL");

            BackupResult backup = new BackupWriter(clock).write(SqliteDatabase.forReading(db, Duration.ofSeconds(2)),
                    dir.resolve("backups"), "pre-upgrade", false);

            assertEquals(dir.resolve("backups/budget_20251004_120530_pre-upgrade.db"), backup.file());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup.file())));
            assertEquals(List.of("delete"), TestDb.strings(backup.file(), "PRAGMA journal_mode"));
        }
        // self-contained: the copy alone, with no -wal beside it, has every row
        assertFalse(Files.exists(Path.of(dir.resolve("backups/budget_20251004_120530_pre-upgrade.db") + "-wal")));
        assertEquals(List.of("3"), TestDb.strings(dir.resolve("backups/budget_20251004_120530_pre-upgrade.db"), "SELECT count(*) FROM t"));
        try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void reportsTheCopyByBytesThenTheCheckThenTheCompression() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.execute(db, "CREATE TABLE t(x)", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                + "INSERT INTO t SELECT randomblob(500) FROM n");
        RecordingProgress progress = new RecordingProgress();
        new BackupWriter(clock, progress).write(SqliteDatabase.forReading(db, Duration.ofSeconds(2)), dir.resolve("backups"), null, false, true);

        assertEquals(List.of("backing up app.db", "checking the copy (quick_check)", "compressing the copy"), progress.descriptions());
        RecordingProgress.Recorded copy = progress.steps().get(0);
        assertEquals(Files.size(db), copy.totalBytes());
        assertEquals(copy.totalBytes(), copy.doneAtEnd(), "the copy's size reached the database's when the copy step ended");
        RecordingProgress.Recorded gzip = progress.steps().get(2);
        assertTrue(gzip.totalBytes() > 1_000_000, "the plain copy is the size of the compression step: " + gzip);
        assertEquals(gzip.totalBytes(), gzip.doneAtEnd());
        assertTrue(progress.steps().stream().allMatch(RecordingProgress.Recorded::ended), progress.steps().toString());
    }

    @Test
    void twoBackupsInTheSameSecondNeverOverwriteEachOther() throws Exception {
        Path db = dir.resolve("app.sqlite3");
        TestDb.execute(db, "CREATE TABLE t(x)", "INSERT INTO t VALUES (1)");
        BackupWriter writer = new BackupWriter(clock);
        SqliteDatabase database = SqliteDatabase.forReading(db, Duration.ofSeconds(2));
        Path first = writer.write(database, dir, null, false).file();
        TestDb.execute(db, "INSERT INTO t VALUES (2)");
        Path second = writer.write(database, dir, null, true).file();
        assertEquals("app_20251004_120530.db", first.getFileName().toString());
        assertEquals("app_20251004_120530-2.db", second.getFileName().toString());
        assertEquals(List.of("1"), TestDb.strings(first, "SELECT count(*) FROM t"));
        assertEquals(List.of("2"), TestDb.strings(second, "SELECT count(*) FROM t"));
    }

    @Test
    void leftoversOfKilledRunsAreRemovedAndThoseOfLiveRunsKept() throws Exception {
        Path db = dir.resolve("budget.db");
        TestDb.execute(db, "CREATE TABLE t(x)", "INSERT INTO t VALUES ('new state')");
        Path backups = Files.createDirectories(dir.resolve("backups"));
        long deadPid = 999_999_999L;
        Path deadScratch = Files.createDirectories(backups.resolve(".crystal-db-" + deadPid + "-1.tmp"));
        Files.writeString(deadScratch.resolve("budget.db"), "half a copy");
        Path liveScratch = Files.createDirectories(backups.resolve(".crystal-db-" + ProcessHandle.current().pid() + "-1.tmp"));
        Path oldPartial = Files.writeString(backups.resolve(".budget_" + deadPid + "_1.db.partial"), "half a copy of an older version");

        new BackupWriter(clock).write(SqliteDatabase.forReading(db, Duration.ofSeconds(2)), backups, null, false);

        assertFalse(Files.exists(deadScratch));
        assertFalse(Files.exists(oldPartial));
        assertTrue(Files.exists(liveScratch), "a running process's scratch directory is not ours to remove");
        assertEquals(List.of("new state"), TestDb.strings(backups.resolve("budget_20251004_120530.db"), "SELECT x FROM t"));
    }

    @Test
    void aSourceLockedExclusivelyIsBusyAndLeavesNoBackupAtAll() throws Exception {
        Path db = dir.resolve("budget.db");
        TestDb.execute(db, "CREATE TABLE t(x)", "INSERT INTO t VALUES (1)");
        SqliteDatabase database = SqliteDatabase.forReading(db, Duration.ofSeconds(1));
        try (Connection app = TestDb.connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN EXCLUSIVE"); // a rollback-journal app in the middle of a write
            CrystalDbException error = assertThrows(CrystalDbException.class,
                    () -> new BackupWriter(clock).write(database, dir.resolve("backups"), null, false));
            assertEquals(ExitCode.BUSY, error.exitCode(), error.getMessage());
            statement.execute("ROLLBACK");
        }
        assertEquals(List.of(), TestDb.fileNames(dir.resolve("backups")), "no backup, not even an empty one, and no scratch left");
    }

    @Test
    void aDiskThatFillsDuringTheCopyFailsWithExitOneAndPublishesNothing() throws Exception {
        Path small = TestDb.mountTmpfs(dir.resolve("small"), "24m");
        try {
            Path db = dir.resolve("big.db");
            TestDb.execute(db, "CREATE TABLE t(x)", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
                    + "INSERT INTO t SELECT randomblob(1000) FROM n");
            String before = TestDb.sha256(db);
            // the free-space check passes; then, as the copy starts, something else takes the space
            Progress filler = (description, total, done) -> {
                if (description.startsWith("backing up")) {
                    TestDb.fill(small.resolve("other-app.log"), 23L * 1024 * 1024);
                }
                return () -> { };
            };
            CrystalDbException error = assertThrows(CrystalDbException.class, () -> new BackupWriter(clock, filler)
                    .write(SqliteDatabase.forReading(db, Duration.ofSeconds(2)), small.resolve("backups"), null, false));
            assertEquals(ExitCode.FAILED, error.exitCode(), error.getMessage());
            assertTrue(error.getMessage().contains("disk is full"), error.getMessage());
            assertEquals(List.of(), TestDb.fileNames(small.resolve("backups")), "nothing published, no scratch left");
            assertEquals(before, TestDb.sha256(db));
        } finally {
            TestDb.unmount(small);
        }
    }

    @Test
    void namesParseBack() {
        BackupName name = BackupName.parse("budget_20251004_120530-2_pre-upgrade.db.gz").orElseThrow();
        assertEquals("budget", name.stem());
        assertEquals(Instant.parse("2025-10-04T12:05:30Z"), name.time());
        assertEquals(2, name.sequence());
        assertEquals("pre-upgrade", name.reason());
        assertTrue(name.compressed());
        assertEquals("budget_20251004_120530-2_pre-upgrade.db.gz", name.fileName());
        assertTrue(BackupName.parse("notes.txt").isEmpty());
    }

    @Test
    void aFullDiskFailsCleanlyInsteadOfWritingATruncatedBackup() throws Exception {
        Path small = TestDb.mountTmpfs(dir.resolve("small"), "4m");
        try {
            Path db = dir.resolve("big.db");
            TestDb.execute(db, "CREATE TABLE t(x)", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO t SELECT randomblob(1000) FROM n");
            String before = TestDb.sha256(db);
            CrystalDbException error = assertThrows(CrystalDbException.class, () -> new BackupWriter(clock)
                    .write(SqliteDatabase.forReading(db, Duration.ofSeconds(2)), small.resolve("backups"), null, false));
            assertEquals(ExitCode.FAILED, error.exitCode());
            assertTrue(error.getMessage().startsWith("not enough free space in " + small.resolve("backups")), error.getMessage());
            try (Stream<Path> files = Files.list(small.resolve("backups"))) {
                assertEquals(0, files.count(), "nothing left behind");
            }
            assertEquals(before, TestDb.sha256(db));
        } finally {
            TestDb.unmount(small);
        }
    }

    @Test
    void anUnwritableBackupDirectoryIsRefusedWithoutTouchingTheDatabase() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.execute(db, "CREATE TABLE t(x)");
        String before = TestDb.sha256(db);
        Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
        CrystalDbException error = assertThrows(CrystalDbException.class, () -> new BackupWriter(clock)
                .write(SqliteDatabase.forReading(db, Duration.ofSeconds(2)), blocker.resolve("backups"), null, false));
        assertEquals(ExitCode.USAGE, error.exitCode());
        assertEquals(before, TestDb.sha256(db));
    }

    @Test
    void aBackupIsReusableOnlyWhileItHoldsExactlyWhatTheDatabaseHolds() throws Exception {
        for (String journalMode : List.of("DELETE", "WAL")) {
            Path db = dir.resolve(journalMode + ".db");
            Path backups = dir.resolve("backups-" + journalMode);
            TestDb.execute(db, "PRAGMA journal_mode=" + journalMode, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)", "CREATE TABLE plain (v)",
                    "INSERT INTO t (v) VALUES (1), ('1'), (1.0), (x'01'), (NULL)", "INSERT INTO plain VALUES ('a'), ('b')");
            SqliteDatabase database = SqliteDatabase.forReading(db, Duration.ofSeconds(2));
            BackupWriter writer = new BackupWriter(clock);
            List<String> notices = new java.util.ArrayList<>();
            assertTrue(writer.reusable(database, backups, "pre-upgrade", notices::add).isEmpty(), "no backup yet");
            BackupResult taken = writer.write(database, backups, "pre-upgrade", false);

            BackupResult reused = writer.reusable(database, backups, "pre-upgrade", notices::add).orElseThrow();
            assertEquals(taken.file(), reused.file());
            assertTrue(reused.reused());
            assertTrue(writer.reusable(database, backups, "pre-downgrade", notices::add).isEmpty(), "only a backup of the same reason");

            // a transaction that rolls back changes nothing
            try (Connection app = TestDb.connect(db); Statement statement = app.createStatement()) {
                app.setAutoCommit(false);
                statement.execute("INSERT INTO t (v) VALUES (99)");
                statement.execute("UPDATE plain SET v = 'z'");
                app.rollback();
            }
            assertTrue(writer.reusable(database, backups, "pre-upgrade", notices::add).isPresent(), journalMode + ": a rollback changed nothing");

            // one value changed in place (same size, same pages), by storage class only, or a rowid alone: each is a change
            for (String[] change : new String[][]{{"UPDATE plain SET v = 'c' WHERE v = 'b'", "UPDATE plain SET v = 'b' WHERE v = 'c'"},
                    {"UPDATE t SET v = '1' WHERE id = 1", "UPDATE t SET v = 1 WHERE id = 1"},
                    {"UPDATE plain SET rowid = 7 WHERE v = 'b'", "UPDATE plain SET rowid = 2 WHERE v = 'b'"},
                    {"PRAGMA user_version = 3", "PRAGMA user_version = 0"}}) {
                TestDb.execute(db, change[0]);
                assertTrue(writer.reusable(database, backups, "pre-upgrade", notices::add).isEmpty(), journalMode + ": " + change[0]);
                TestDb.execute(db, change[1]);
                assertTrue(writer.reusable(database, backups, "pre-upgrade", notices::add).isPresent(), journalMode + ": " + change[1]);
            }
            assertEquals(List.of(), notices);

            // a backup that no longer verifies is never reused, and that is said
            byte[] bytes = Files.readAllBytes(taken.file());
            java.util.Arrays.fill(bytes, bytes.length - 4096, bytes.length, (byte) 0x5a);
            Files.write(taken.file(), bytes);
            assertTrue(writer.reusable(database, backups, "pre-upgrade", notices::add).isEmpty(), journalMode + ": a damaged backup");
            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).startsWith("the newest pre-upgrade backup " + taken.file().getFileName() + " does not verify ("), notices.get(0));
        }
    }
}
