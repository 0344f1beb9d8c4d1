package dev.crystaldb.ops;

import dev.crystaldb.db.DatabaseFileChecks;
import dev.crystaldb.db.DatabaseLock;
import dev.crystaldb.db.ProcLocks;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where every change flow starts: crystal-db's lock on the database, then the database, opened
 * under it. The checks that need no SQLite run before the lock, so a refusal leaves no lock file.
 */
final class LockedDatabase implements AutoCloseable {
    private final DatabaseLock lock;
    private final SqliteDatabase database;

    private LockedDatabase(DatabaseLock lock, SqliteDatabase database) {
        this.lock = lock;
        this.database = database;
    }

    /** For upgrade, downgrade and stamp: an SQLite file that may be changed (or, with create, a new one). */
    static LockedDatabase forChange(Path file, boolean create, Duration lockTimeout, Consumer<String> notices) {
        boolean beingMade = false;
        if (creating(file, create)) {
            DatabaseFileChecks.requireCreatable(file);
        } else {
            try {
                DatabaseFileChecks.requirePresent(file);
                DatabaseFileChecks.requireChangeable(file);
            } catch (CrystalDbException e) {
                // another run with --create may be making it right now (SQLite writes the header at its
                // first commit): then what the file is is decided under the lock, once that run is done
                beingMade = create && e.exitCode() == ExitCode.USAGE && !ProcLocks.holders(DatabaseLock.lockFileFor(file)).isEmpty();
                if (!beingMade) {
                    throw e;
                }
            }
        }
        DatabaseLock lock = lock(file, lockTimeout, notices);
        try {
            boolean creating = creating(file, create); // again: another run may have made it while this one waited
            if (beingMade && !creating) {
                DatabaseFileChecks.requirePresent(file);
                DatabaseFileChecks.requireChangeable(file);
            }
            return new LockedDatabase(lock, creating ? SqliteDatabase.creating(file, lockTimeout) : SqliteDatabase.forChanging(file, lockTimeout));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Whether the change makes the database: --create, and no file or an empty one. */
    private static boolean creating(Path file, boolean create) {
        return create && (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || DatabaseFileChecks.isEmptyFile(file));
    }

    /** For rollback: the database about to be replaced may be missing or damaged, so only the lock is checked. */
    static LockedDatabase forRestore(Path file, Duration lockTimeout, Consumer<String> notices) {
        SqliteDatabase database = SqliteDatabase.forReplacement(file, lockTimeout);
        return new LockedDatabase(lock(file, lockTimeout, notices), database);
    }

    private static DatabaseLock lock(Path file, Duration lockTimeout, Consumer<String> notices) {
        return DatabaseLock.acquire(file, lockTimeout, holder -> notices.accept("waiting for another crystal-db run on " + file
                + (holder.isEmpty() ? "" : ", " + holder) + " (up to --lock-timeout " + lockTimeout.toSeconds() + "s)..."));
    }

    SqliteDatabase database() {
        return database;
    }

    /** What a run that changes nothing after all reports, exit 1. */
    static CrystalDbException cancelled() {
        return new CrystalDbException(ExitCode.FAILED, "cancelled: nothing was changed");
    }

    @Override
    public void close() {
        lock.close();
    }
}
