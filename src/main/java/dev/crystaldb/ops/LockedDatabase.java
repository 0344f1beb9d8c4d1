package dev.crystaldb.ops;

import dev.crystaldb.db.DatabaseLock;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where a change flow starts: crystal-db's lock on the database, then the database, opened under
 * it. The checks that need no SQLite run before the lock, so a refusal leaves no lock file.
 */
final class LockedDatabase implements AutoCloseable {
    private final DatabaseLock lock;
    private final SqliteDatabase database;

    private LockedDatabase(DatabaseLock lock, SqliteDatabase database) {
        this.lock = lock;
        this.database = database;
    }

    /** An existing SQLite file that may be changed. */
    static LockedDatabase forChange(Path file, Duration lockTimeout, Consumer<String> notices) {
        SqliteDatabase.requirePresent(file);
        DatabaseLock lock = DatabaseLock.acquire(file, lockTimeout, () -> notices.accept("waiting for another crystal-db run on " + file
                + " (up to --lock-timeout " + lockTimeout.toSeconds() + "s)..."));
        try {
            return new LockedDatabase(lock, SqliteDatabase.afterPresenceCheck(file, lockTimeout));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
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
