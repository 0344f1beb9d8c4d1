package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupCatalog;
import dev.crystaldb.backup.BackupEntry;
import dev.crystaldb.backup.BackupRestorer;
import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.OpenFileScanner;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.HistoryReader;
import dev.crystaldb.migrate.UpgradeHold;
import dev.crystaldb.migrate.Version;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import dev.crystaldb.progress.Progress;

import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Restores a backup the way rollback_prod.sh meant to, without losing a commit: crystal-db's lock;
 * the operator's approval; the backup copied beside the database and checked; the app's unit
 * stopped; SQLite's write lock on the live database, held from the emergency backup to the swap,
 * so a commit either lands before the emergency backup (and is in it) or waits and fails in the
 * app; the check for open writers repeated under that lock; the atomic swap; and the unit started
 * again, also when the restore failed. Afterwards the lock is held until no other process has the
 * replaced file open, so a writer that was waiting for it fails instead of committing into a file
 * that is no longer the database.
 */
public final class RollbackService {
    private static final long POLL_MILLIS = 10;

    /** What to restore, and the unit to stop around it. */
    public record Request(Path database, Path backupDirectory, BackupEntry backup, Optional<SystemdUnit> unit) {
    }

    /**
     * What a rollback did; hold, the upgrade hold recorded in the restored database for the versions
     * it took back out (empty when it took none back, or the replaced database could not be read).
     */
    public record Result(BackupEntry restored, Optional<Path> emergencyBackup, Optional<Version> version, Optional<UpgradeHold> hold) {
    }

    private final BackupWriter writer;
    private final BackupRestorer restorer;
    private final Consumer<String> notices;
    private final Duration lockTimeout;

    public RollbackService(BackupWriter writer, Progress progress, Consumer<String> notices, Duration lockTimeout) {
        this.writer = writer;
        this.restorer = new BackupRestorer(progress);
        this.notices = notices;
        this.lockTimeout = lockTimeout;
    }

    /** Runs the restore; approve is asked before anything changes, false cancels (exit 1). */
    public Result rollback(Request request, Predicate<BackupEntry> approve) {
        try (LockedDatabase locked = LockedDatabase.forRestore(request.database(), lockTimeout, notices)) {
            SqliteDatabase database = locked.database();
            if (!approve.test(request.backup())) {
                throw LockedDatabase.cancelled();
            }
            notices.accept("checking backup " + request.backup().file().getFileName() + " ...");
            BackupCatalog catalog = new BackupCatalog(request.backupDirectory(), database.file());
            try (BackupRestorer.Staged staged = restorer.stage(catalog, request.backup(), database.file())) {
                Optional<Version> version = HistoryReader.currentVersion(staged.file());
                // after the backup was found sound: a refused restore must not even open the live database
                Optional<UpgradeHold> hold = holdFor(appliedBefore(database), staged, request.backup());
                boolean stopped = false;
                RuntimeException failure = null;
                try {
                    if (request.unit().isPresent()) {
                        notices.accept("stopping " + request.unit().get().name() + " ...");
                        request.unit().get().stop();
                        stopped = true;
                    }
                    Optional<Path> emergency = replace(database, request.backupDirectory(), staged);
                    return new Result(request.backup(), emergency, version, hold);
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                } finally {
                    if (stopped) {
                        startAgain(request.unit().get(), failure, hold);
                    }
                }
            }
        }
    }

    /**
     * What the database about to be replaced has applied; empty when there is none or SQLite cannot
     * read it (then no hold can be worked out, and the rollback says so rather than fail: restoring a
     * damaged database is what rollback is for).
     */
    private Optional<List<UpgradeHold.Held>> appliedBefore(SqliteDatabase database) {
        if (!database.exists()) {
            return Optional.of(List.of());
        }
        try {
            return Optional.of(HistoryReader.appliedVersions(database.file()));
        } catch (CrystalDbException e) {
            notices.accept("the history of the current database cannot be read (" + e.getMessage() + "), so no upgrade hold is recorded: "
                    + "check `crystal-db status` before the next upgrade");
            return Optional.empty();
        }
    }

    /**
     * Records, in the staged copy and so in the same atomic swap, the versions the restore takes
     * back out, so that the next upgrade (ExecStartPre= at the next start) does not apply them again.
     */
    private Optional<UpgradeHold> holdFor(Optional<List<UpgradeHold.Held>> appliedBefore, BackupRestorer.Staged staged, BackupEntry backup) {
        if (appliedBefore.isEmpty()) {
            return Optional.empty();
        }
        List<UpgradeHold.Held> takenBack = UpgradeHold.takenBack(appliedBefore.get(), HistoryReader.appliedVersions(staged.file()));
        if (takenBack.isEmpty()) {
            return Optional.empty();
        }
        UpgradeHold hold = new UpgradeHold("rollback to " + backup.file().getFileName(), Instant.now(), takenBack);
        HistoryReader.recordHold(staged.file(), hold);
        return Optional.of(hold);
    }

    /** The emergency backup and the swap; returns where the replaced state went. */
    private Optional<Path> replace(SqliteDatabase database, Path backupDirectory, BackupRestorer.Staged staged) {
        if (!Files.exists(database.file(), LinkOption.NOFOLLOW_LINKS)) {
            restorer.swapIn(staged, database);
            return Optional.empty();
        }
        WriteTransaction lock;
        try {
            lock = database.beginWrite(notices);
        } catch (CrystalDbException e) {
            if (e.exitCode() == ExitCode.BUSY) {
                throw e;
            }
            // SQLite cannot read it (damaged): no SQLite lock to take, and no app can write it either
            notices.accept("the current database cannot be read by SQLite (" + e.getMessage() + "); copying its files as they are");
            requireNoWriters(database);
            BackupResult raw = writer.writeRawCopy(database.file(), backupDirectory, "emergency-raw");
            notices.accept("emergency backup: " + raw.file());
            restorer.swapIn(staged, database);
            return Optional.of(raw.file());
        }
        try (lock) {
            awaitNoWriters(database);
            notices.accept("emergency backup of the current database ...");
            BackupResult emergency = writer.write(database, backupDirectory, "emergency", false);
            try {
                // a request that opened the file while the emergency copy was written is waiting
                // for the lock: once more, so that none holds the replaced file after the swap
                awaitNoWriters(database);
            } catch (CrystalDbException e) {
                writer.withdraw(emergency); // nothing was replaced, and under the lock nothing changed since the copy
                throw e;
            }
            notices.accept("emergency backup: " + emergency.file());
            Object replaced = fileKey(database.file());
            restorer.swapIn(staged, database);
            lock.keepUntilExit();
            awaitReplacedFileReleased(database, replaced);
            return Optional.of(emergency.file());
        }
    }

    /** Without SQLite's lock (a damaged file): a process with the database open for writing could still write to it. */
    private static void requireNoWriters(SqliteDatabase database) {
        List<OpenFileScanner.Holder> writers = OpenFileScanner.writersOf(database.file());
        if (!writers.isEmpty()) {
            throw stillOpen(database, writers.get(0));
        }
    }

    /**
     * Under the write lock: a process with the database open for writing would go on writing to
     * the replaced file after the swap. One that is only waiting for the lock (a request of a
     * per-request app) fails when its busy timeout runs out and closes the file, so it is waited
     * for, up to --lock-timeout; one that keeps the file open (an app with a long-lived
     * connection) is refused, exit 3.
     */
    private void awaitNoWriters(SqliteDatabase database) {
        long deadline = System.nanoTime() + lockTimeout.toNanos();
        List<OpenFileScanner.Holder> writers = OpenFileScanner.writersOf(database.file());
        boolean told = false;
        while (!writers.isEmpty()) {
            if (System.nanoTime() >= deadline) {
                throw stillOpen(database, writers.get(0));
            }
            if (!told) {
                notices.accept("waiting for " + writers.get(0) + " to close " + database.file() + " (up to --lock-timeout "
                        + lockTimeout.toSeconds() + "s; it cannot write meanwhile)...");
                told = true;
            }
            pause();
            writers = OpenFileScanner.writersOf(database.file());
        }
    }

    private static CrystalDbException stillOpen(SqliteDatabase database, OpenFileScanner.Holder writer) {
        return new CrystalDbException(ExitCode.BUSY, writer + " still has " + database.file()
                + " open for writing; stop it first (or pass --service UNIT); the database was not replaced");
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrystalDbException(ExitCode.FAILED, "interrupted while waiting for another process to close the database", e);
        }
    }

    /**
     * Holds the old database's write lock until no other process has the replaced file open: one
     * that opened it just before the swap can only wait for the lock and fail, never commit into it.
     */
    private void awaitReplacedFileReleased(SqliteDatabase database, Object replaced) {
        long deadline = System.nanoTime() + lockTimeout.toNanos();
        List<OpenFileScanner.Holder> holders = OpenFileScanner.holdersOf(replaced);
        boolean told = false;
        while (!holders.isEmpty()) {
            if (System.nanoTime() >= deadline) {
                throw new CrystalDbException(ExitCode.FAILED, "the backup was restored into " + database.file() + ", but " + holders.get(0)
                        + " still has the replaced database open after --lock-timeout " + lockTimeout.toSeconds()
                        + "s: its writes fail or go to a file that is no longer the database; stop it with SIGKILL "
                        + "(systemctl kill -s KILL UNIT), then start it: a clean close of that connection can delete the -wal and -shm "
                        + "by name, which now belong to the restored database");
            }
            if (!told) {
                notices.accept("waiting for " + holders.get(0) + " to close the replaced database (its writes fail meanwhile)...");
                told = true;
            }
            pause();
            holders = OpenFileScanner.holdersOf(replaced);
        }
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void startAgain(SystemdUnit unit, RuntimeException restoreFailure, Optional<UpgradeHold> hold) {
        notices.accept("starting " + unit.name() + " ...");
        try {
            unit.start();
        } catch (CrystalDbException e) {
            if (restoreFailure == null) {
                throw new CrystalDbException(ExitCode.FAILED, "the backup was restored, but " + e.getMessage()
                        + hold.map(h -> "; if the unit runs `crystal-db upgrade` before it starts, that refuses versions " + h.versionList()
                        + " now (the upgrade hold of this rollback): deploy the previous release, or release the hold with "
                        + "`crystal-db upgrade --release-hold`").orElse(""), e);
            }
            restoreFailure.addSuppressed(e);
            notices.accept(e.getMessage());
        }
    }
}
