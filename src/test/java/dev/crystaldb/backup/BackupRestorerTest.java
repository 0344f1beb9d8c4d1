package dev.crystaldb.backup;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.support.RecordingProgress;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupRestorerTest {
    @TempDir
    Path dir;

    private Path database(String name, int rows) throws Exception {
        Path db = dir.resolve(name);
        TestDb.execute(db, "CREATE TABLE t(x)", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") "
                + "INSERT INTO t SELECT randomblob(300) FROM n");
        return db;
    }

    @Test
    void stagingReportsTheBytesReadOfAPlainAndAGzippedBackup() throws Exception {
        Path db = database("app.db", 1000);
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        SqliteDatabase source = SqliteDatabase.forReading(db, Duration.ofSeconds(2));
        Path backups = dir.resolve("backups");
        BackupWriter writer = new BackupWriter(Clock.systemUTC());
        writer.write(source, backups, null, false, false);
        writer.write(source, backups, null, false, true);

        BackupCatalog catalog = new BackupCatalog(backups, db);
        for (BackupEntry backup : catalog.list()) {
            RecordingProgress progress = new RecordingProgress();
            Path scratch;
            try (BackupRestorer.Staged staged = new BackupRestorer(progress).stage(catalog, backup, db)) {
                assertEquals(List.of("copying " + backup.file().getFileName(), "checking the copy (quick_check)"), progress.descriptions());
                RecordingProgress.Recorded copy = progress.steps().get(0);
                assertEquals(Files.size(backup.file()), copy.totalBytes(), backup.toString());
                assertEquals(copy.totalBytes(), copy.doneAtEnd(), "every byte of " + backup.file().getFileName() + " was read");
                assertEquals(List.of("1000"), TestDb.strings(staged.file(), "SELECT count(*) FROM t"));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged.file())),
                        "the staged copy is private until it takes the database's own mode at the swap");
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged.file().getParent())),
                        "and it waits in a directory nobody else can enter");
                scratch = staged.file().getParent();
            }
            assertTrue(Files.notExists(scratch), "a discarded copy leaves nothing behind");
        }
    }

    @Test
    void anEmptyOrTruncatedBackupIsRefusedWhateverItsNameSays() throws Exception {
        Path db = database("budget.db", 2000);
        Path backups = Files.createDirectories(dir.resolve("backups"));
        Files.write(backups.resolve("budget_20990101_000000.db"), new byte[0]);
        byte[] whole = Files.readAllBytes(db);
        Files.write(backups.resolve("budget_20990101_000001.db"), Arrays.copyOf(whole, whole.length / 2));
        String before = TestDb.sha256(db);
        BackupCatalog catalog = new BackupCatalog(backups, db);
        for (BackupEntry backup : catalog.list()) {
            CrystalDbException refused = assertThrows(CrystalDbException.class, () -> new BackupRestorer().stage(catalog, backup, db).close());
            assertEquals(ExitCode.USAGE, refused.exitCode(), refused.getMessage());
            assertTrue(refused.getMessage().contains(backup.bytes() == 0 ? "empty (0 bytes)" : "truncated"), refused.getMessage());
        }
        assertEquals(before, TestDb.sha256(db));
        assertEquals(List.of("backups", "budget.db"), TestDb.fileNames(dir), "no staged copy left beside the database");
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
    void aStagedCopyReplacedByASymlinkIsNotSwappedIn() throws Exception {
        Path db = database("app.db", 10);
        String before = TestDb.sha256(db);
        Path victim = dir.resolve("victim.db");
        TestDb.execute(victim, "CREATE TABLE v(y)");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        new BackupWriter(Clock.systemUTC()).write(SqliteDatabase.forReading(db, Duration.ofSeconds(2)), dir.resolve("backups"), null, false);
        BackupCatalog catalog = new BackupCatalog(dir.resolve("backups"), db);

        try (BackupRestorer.Staged staged = new BackupRestorer().stage(catalog, catalog.list().get(0), db)) {
            Files.delete(staged.file());
            Files.createSymbolicLink(staged.file(), victim);
            CrystalDbException refused = assertThrows(CrystalDbException.class,
                    () -> new BackupRestorer().swapIn(staged, SqliteDatabase.forChanging(db, Duration.ofSeconds(2))));
            assertTrue(refused.getMessage().contains("is gone or was replaced"), refused.getMessage());
        }
        assertEquals(before, TestDb.sha256(db));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)), "the link's target kept its mode");
    }
}
