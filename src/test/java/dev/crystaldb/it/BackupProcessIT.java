package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.crystaldb.it.CrystalDb.await;
import static dev.crystaldb.it.CrystalDb.blobDatabase;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.integrityCheck;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.rowsDigest;
import static dev.crystaldb.it.CrystalDb.scalar;
import static dev.crystaldb.it.CrystalDb.sha256;
import static dev.crystaldb.it.CrystalDb.sizeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PRODUCT.md §4 `backup` and §5 "nothing is lost", with real processes: a backup taken while another process keeps
 * committing is a state the database really had, and a backup killed with SIGKILL leaves no file under a final name,
 * an untouched database, and nothing that stops the next backup.
 */
class BackupProcessIT {
    /** {@code <stem>_YYYYMMDD_HHMMSS[-N][_reason].db}: the names `backups` and `rollback` consider. */
    static final Pattern FINAL_NAME = Pattern.compile("app_\\d{8}_\\d{6}(-\\d+)?(_[a-z][a-z0-9-]*)?\\.db(\\.gz)?");
    static final Pattern BACKUP_LINE = Pattern.compile("(?m)^backup: (.+) \\(\\d+ bytes, \\d+ ms\\)$");

    @TempDir
    Path dir;

    // ------------------------------------------------------------ a writer commits during the backup

    @Test
    @Timeout(90)
    void aBackupOfAWalDatabaseWhileAnotherProcessCommitsIsAStateTheDatabaseHad() throws Exception {
        backupWhileAnotherProcessCommits("wal");
    }

    @Test
    @Timeout(90)
    void aBackupOfARollbackJournalDatabaseWhileAnotherProcessCommitsIsAStateTheDatabaseHad() throws Exception {
        backupWhileAnotherProcessCommits("delete");
    }

    /**
     * About 60 MB of filler, then this JVM (another process than crystal-db) inserts 1, 2, 3, ... into seq, one
     * transaction each, for as long as `backup` runs. The copy must hold exactly 1..k with k between the counts just
     * before the backup started and just after it ended, all the filler, and be one self-contained sound file.
     */
    private void backupWhileAnotherProcessCommits(String journalMode) throws Exception {
        Path db = dir.resolve("app.db");
        long fillerRows = 60_000;
        blobDatabase(db, journalMode, "filler", fillerRows, 1000);
        try (Connection connection = connect(db); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE seq (n INTEGER PRIMARY KEY)");
        }
        String fillerDigest = rowsDigest(db, "SELECT id, b FROM filler ORDER BY id");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection connection = connect(db)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA busy_timeout=30000"); // in rollback-journal mode the backup's read blocks commits
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO seq (n) VALUES (?)")) {
                    for (long n = 1; !stop.get(); n++) {
                        insert.setLong(1, n); // autocommit: each row is its own transaction
                        insert.executeUpdate();
                        committed.set(n);
                        // an app between two requests; a loop with no pause at all would starve every reader of a
                        // rollback-journal database, this test's own counts included
                        Thread.sleep(1);
                    }
                }
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        }, "writer");
        writer.setDaemon(true);

        long before;
        long after;
        CrystalDb.Result backup;
        writer.start();
        try {
            await(Duration.ofSeconds(20), () -> committed.get() >= 50 || writerFailure.get() != null, "the writer commits");
            before = count(db, "seq");
            backup = CrystalDb.run(dir, "--db", db.toString(), "backup");
            after = count(db, "seq");
            long target = after + 20; // the writer goes on after the backup, so its last rows are not in the copy
            await(Duration.ofSeconds(20), () -> committed.get() >= target || writerFailure.get() != null, "the writer goes on");
        } finally {
            stop.set(true);
            writer.join(30_000);
        }
        assertNull(writerFailure.get(), () -> "the writer failed: " + writerFailure.get());
        assertFalse(writer.isAlive(), "the writer did not stop");
        assertEquals(0, backup.exitCode(), backup::describe);
        assertTrue(after > before, "no row was committed while the backup ran (" + before + " before, " + after + " after)");

        Path copy = backupFileOf(backup);
        assertEquals(List.of(copy.getFileName().toString()), fileNames(dir.resolve("backups")),
                "exactly one backup and no hidden leftovers in the backup directory");
        assertTrue(FINAL_NAME.matcher(copy.getFileName().toString()).matches(), copy.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
        assertSelfContained(copy);

        assertEquals("ok", integrityCheck(copy));
        long k = count(copy, "seq");
        System.out.println("BackupProcessIT (" + journalMode + "): seq had " + before + " rows before the backup, "
                + after + " after it; the copy holds " + k);
        assertTrue(before <= k && k <= after, "the copy holds " + k + " rows of seq, outside [" + before + ", " + after + "]");
        assertEquals(k == 0 ? null : "1", scalar(copy, "SELECT min(n) FROM seq"), "seq in the copy does not start at 1");
        assertEquals(k == 0 ? null : Long.toString(k), scalar(copy, "SELECT max(n) FROM seq"),
                "seq in the copy is not the contiguous prefix 1.." + k);
        assertEquals(fillerDigest, rowsDigest(copy, "SELECT id, b FROM filler ORDER BY id"), "the filler differs in the copy");
        // the live database itself went on: every committed row is there, once
        assertEquals(Long.toString(count(db, "seq")), scalar(db, "SELECT max(n) FROM seq"));
        assertEquals("ok", integrityCheck(db));
    }

    // ------------------------------------------------------------ SIGKILL while the backup copies

    @Test
    @Timeout(120)
    void killMinus9DuringALargeBackupLeavesNoBackupAnUnchangedDatabaseAndTheNextBackupTidiesUp() throws Exception {
        Path db = dir.resolve("app.db");
        Path backups = dir.resolve("backups");
        blobDatabase(db, "wal", "t", 150_000, 1000); // about 155 MB: with --full-check a backup takes seconds
        String digest = rowsDigest(db, "SELECT id, b FROM t ORDER BY id");
        String bytes = sha256(db);
        long size = Files.size(db);

        List<String> leftovers;
        try (CrystalDb.Run backup = CrystalDb.start(dir, "--db", db.toString(), "backup", "--full-check")) {
            // the copy in the run's hidden scratch directory has grown: the copy is under way
            await(Duration.ofSeconds(60), () -> !backup.isAlive() || partialBytes(backups) > size / 10, "the backup is copying");
            assertTrue(backup.isAlive(), "the backup finished before it could be killed; make the database larger\n"
                    + backup.stderrSoFar());
            backup.killTree();
            assertFalse(backup.isAlive());
            leftovers = fileNames(backups);
        }

        assertTrue(leftovers.stream().noneMatch(name -> FINAL_NAME.matcher(name).matches()),
                "a file under a final backup name exists after the kill: " + leftovers);
        assertTrue(leftovers.stream().allMatch(name -> name.startsWith(".")), "a visible file was left: " + leftovers);
        assertTrue(leftovers.stream().anyMatch(name -> name.startsWith(".crystal-db-") && name.endsWith(".tmp")),
                "the kill left no scratch directory, so the clean-up below proves nothing: " + leftovers);
        CrystalDb.Result list = ok(dir, "--db", db.toString(), "backups");
        assertTrue(list.stdout().startsWith("no backups in "), list::describe);

        assertEquals(bytes, sha256(db), "the database file changed");
        assertEquals("ok", integrityCheck(db));

        CrystalDb.Result next = ok(dir, "--db", db.toString(), "backup");
        Path copy = backupFileOf(next);
        assertEquals(List.of(copy.getFileName().toString()), fileNames(backups),
                "the next backup did not remove the leftovers of the killed run");
        assertSelfContained(copy);
        assertEquals("ok", integrityCheck(copy));
        assertEquals(digest, rowsDigest(copy, "SELECT id, b FROM t ORDER BY id"));
        assertEquals(bytes, sha256(db), "the database file changed");
    }

    // ------------------------------------------------------------ helpers

    /** The path on the `backup: PATH (N bytes, M ms)` line; the file exists. */
    static Path backupFileOf(CrystalDb.Result result) {
        Matcher matcher = BACKUP_LINE.matcher(result.stdout());
        assertTrue(matcher.find(), () -> "no backup line:\n" + result.describe());
        Path file = Path.of(matcher.group(1));
        assertTrue(Files.isRegularFile(file), () -> file + " does not exist:\n" + result.describe());
        return file;
    }

    /** One file that needs nothing beside it: rollback-journal mode in its header, no -wal, -shm or -journal. */
    static void assertSelfContained(Path copy) throws Exception {
        for (String suffix : new String[]{"-wal", "-shm", "-journal"}) {
            assertFalse(Files.exists(Path.of(copy + suffix)), copy + suffix + " exists");
        }
        byte[] header = new byte[100];
        try (InputStream in = Files.newInputStream(copy)) {
            assertEquals(100, in.readNBytes(header, 0, 100));
        }
        // file format write and read versions: 1 = rollback journal, 2 = WAL
        assertEquals(1, header[18], "write version in the header of " + copy);
        assertEquals(1, header[19], "read version in the header of " + copy);
        assertEquals("delete", scalar(copy, "PRAGMA journal_mode"));
    }

    /** The size of the largest copy in a hidden scratch directory (.crystal-db-PID-N.tmp) of directory. */
    static long partialBytes(Path directory) {
        return fileNames(directory).stream().filter(name -> name.startsWith(".crystal-db-") && name.endsWith(".tmp"))
                .flatMap(name -> fileNames(directory.resolve(name)).stream().map(file -> directory.resolve(name).resolve(file)))
                .mapToLong(CrystalDb::sizeOf).max().orElse(0);
    }
}
