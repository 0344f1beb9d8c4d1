package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupEntry;
import dev.crystaldb.backup.BackupRestorer;
import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.OpenFileScanner;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.HistoryReader;
import dev.crystaldb.migrate.Version;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Restores a backup the way rollback_prod.sh meant to, safely: verify the backup first, stop the
 * app's unit, take an emergency backup of the current state, swap the database atomically, check
 * it, and start the unit again, also when the restore failed.
 */
public final class RollbackService {
    /** What a rollback did. */
    public record Result(BackupEntry restored, Optional<Path> emergencyBackup, Optional<Version> version) {
    }

    private final BackupWriter writer;
    private final BackupRestorer restorer;
    private final Consumer<String> notices;

    public RollbackService(BackupWriter writer, BackupRestorer restorer, Consumer<String> notices) {
        this.writer = writer;
        this.restorer = restorer;
        this.notices = notices;
    }

    public Result rollback(SqliteDatabase database, Path backupDirectory, BackupEntry backup, Optional<SystemdUnit> unit) {
        notices.accept("checking backup " + backup.file().getFileName() + " ...");
        Path staged = restorer.stage(backup, database.file());
        boolean stopped = false;
        RuntimeException failure = null;
        try {
            if (unit.isPresent()) {
                notices.accept("stopping " + unit.get().name() + " ...");
                unit.get().stop();
                stopped = true;
            }
            List<OpenFileScanner.Holder> writers = OpenFileScanner.writersOf(database.file());
            if (!writers.isEmpty()) {
                throw new CrystalDbException(ExitCode.BUSY, writers.get(0) + " still has " + database.file()
                        + " open for writing; stop it first (or pass --service UNIT); the database was not replaced");
            }
            Optional<BackupWriter.PendingLink> link = Files.exists(database.file())
                    ? writer.linkForReplacement(database, backupDirectory, "emergency") : Optional.empty();
            Optional<Path> emergency = link.isPresent() ? Optional.empty() : emergencyBackup(database, backupDirectory);
            try {
                restorer.swapIn(staged, database);
            } catch (RuntimeException e) {
                link.ifPresent(BackupWriter.PendingLink::abandon);
                throw e;
            }
            if (link.isPresent()) {
                emergency = Optional.of(link.get().publish().file());
                notices.accept("emergency backup (the replaced file itself): " + emergency.get());
            }
            Optional<Version> version = HistoryReader.currentVersion(database.file());
            return new Result(backup, emergency, version);
        } catch (RuntimeException e) {
            restorer.discard(staged);
            failure = e;
            throw e;
        } finally {
            if (stopped) {
                startAgain(unit.get(), failure);
            }
        }
    }

    private Optional<Path> emergencyBackup(SqliteDatabase database, Path backupDirectory) {
        if (!Files.exists(database.file())) {
            return Optional.empty();
        }
        notices.accept("emergency backup of the current database ...");
        BackupResult result;
        try {
            result = writer.write(SqliteDatabase.existing(database.file(), database.lockTimeout()), backupDirectory, "emergency", false);
        } catch (CrystalDbException e) {
            if (e.exitCode() == ExitCode.BUSY) {
                throw e;
            }
            // SQLite cannot read it (damaged): keep its bytes instead, so nothing is lost
            notices.accept("the current database cannot be read by SQLite (" + e.getMessage() + "); copying its files as they are");
            result = writer.writeRawCopy(database.file(), backupDirectory, "emergency-raw");
        }
        notices.accept("emergency backup: " + result.file());
        return Optional.of(result.file());
    }

    private void startAgain(SystemdUnit unit, RuntimeException restoreFailure) {
        notices.accept("starting " + unit.name() + " ...");
        try {
            unit.start();
        } catch (CrystalDbException e) {
            if (restoreFailure == null) {
                throw new CrystalDbException(ExitCode.FAILED, "the backup was restored, but " + e.getMessage(), e);
            }
            restoreFailure.addSuppressed(e);
            notices.accept(e.getMessage());
        }
    }
}
