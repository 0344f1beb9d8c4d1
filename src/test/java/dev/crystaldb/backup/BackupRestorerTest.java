package dev.crystaldb.backup;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.progress.Progress;
import dev.crystaldb.support.RecordingProgress;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupRestorerTest {
    @TempDir
    Path dir;

    @Test
    void stagingReportsTheBytesReadOfAPlainAndAGzippedBackup() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.execute(db, "CREATE TABLE t(x)", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                + "INSERT INTO t SELECT randomblob(300) FROM n");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        SqliteDatabase database = SqliteDatabase.existing(db, Duration.ofSeconds(2));
        Path backups = dir.resolve("backups");
        BackupWriter writer = new BackupWriter(Clock.systemUTC());
        writer.write(database, backups, null, false, false);
        writer.write(database, backups, null, false, true);

        for (BackupEntry backup : new BackupCatalog(backups, db).list()) {
            RecordingProgress progress = new RecordingProgress();
            Path staged = new BackupRestorer(progress).stage(backup, db);
            try {
                assertEquals(List.of("copying " + backup.file().getFileName(), "checking the copy (quick_check)"), progress.descriptions());
                RecordingProgress.Recorded copy = progress.steps().get(0);
                assertEquals(Files.size(backup.file()), copy.totalBytes(), backup.toString());
                assertEquals(copy.totalBytes(), copy.doneAtEnd(), "every byte of " + backup.file().getFileName() + " was read");
                assertEquals(List.of("1000"), TestDb.strings(staged, "SELECT count(*) FROM t"));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged)),
                        "the staged copy is private until it takes the database's own mode at the swap");
            } finally {
                new BackupRestorer().discard(staged);
            }
        }
    }

    @Test
    void aRawCopyOfADamagedDatabaseIsPrivateToo() throws Exception {
        Path db = dir.resolve("app.db");
        Files.write(db, new byte[8192]); // not a database SQLite can read
        Files.write(Path.of(db + "-wal"), new byte[100]);
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(Path.of(db + "-wal"), PosixFilePermissions.fromString("rw-r--r--"));
        BackupResult raw = new BackupWriter(Clock.systemUTC()).writeRawCopy(db, dir.resolve("backups"), "emergency-raw");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(raw.file())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(raw.file() + "-wal"))));
        assertEquals(8192, Files.size(raw.file()));
        assertEquals(100, Files.size(Path.of(raw.file() + "-wal")));
    }

    @Test
    void copiesNeverWriteThroughASymlinkPutInTheirPlace() throws Exception {
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "precious");
        Path source = dir.resolve("source.bin");
        Files.write(source, new byte[100_000]);
        Path target = dir.resolve(".app.db.restore-1.partial");
        Files.createSymbolicLink(target, victim);

        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> FileCopy.copy(source, target, Progress.NONE, "copying"));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> FileCopy.gzip(source, target, Progress.NONE, "compressing"));
        assertEquals("precious", Files.readString(victim));
    }

    @Test
    void aStagedCopyReplacedByASymlinkIsNotSwappedIn() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.execute(db, "CREATE TABLE t(x)", "INSERT INTO t VALUES (1)");
        String before = TestDb.sha256(db);
        Path victim = dir.resolve("victim.db");
        TestDb.execute(victim, "CREATE TABLE v(y)");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path staged = dir.resolve(".app.db.restore-1.partial");
        Files.createSymbolicLink(staged, victim);

        CrystalDbException refused = assertThrows(CrystalDbException.class,
                () -> new BackupRestorer().swapIn(staged, SqliteDatabase.existing(db, Duration.ofSeconds(2))));
        assertTrue(refused.getMessage().contains("was replaced by something else"), refused.getMessage());
        assertEquals(before, TestDb.sha256(db));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)), "the link's target kept its mode");
    }
}
