package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * SQLite's write lock on a database, held by one connection from BEGIN IMMEDIATE to COMMIT or
 * ROLLBACK: while it is held no other connection can commit, so a backup taken under it is the
 * state the change starts from, and nothing the app writes can fall between the two. Waiting for
 * it is announced at once, naming the holder when /proc shows it; past the lock timeout it is
 * exit 3.
 */
public final class WriteTransaction implements AutoCloseable {
    /** Transactions whose connection must outlive the run (see {@link #keepUntilExit()}). */
    private static final List<Connection> KEPT = new ArrayList<>();

    private final SqliteDatabase database;
    private final Connection connection;
    private final UnitConnection unit;
    private boolean open = true;
    private boolean kept;

    private WriteTransaction(SqliteDatabase database, Connection connection) {
        this.database = database;
        this.connection = connection;
        this.unit = new UnitConnection(connection);
    }

    static WriteTransaction begin(SqliteDatabase database, Connection connection, Consumer<String> notices) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 0");
            try {
                statement.execute("BEGIN IMMEDIATE");
            } catch (SQLException e) {
                if (!SqliteFailure.isBusy(e)) {
                    throw e;
                }
                String holder = holderOf(database);
                notices.accept("waiting for the write lock on " + database.file() + ", held by " + holder
                        + " (up to --lock-timeout " + database.lockTimeout().toSeconds() + "s)...");
                statement.execute("PRAGMA busy_timeout = " + Math.min(Integer.MAX_VALUE, database.lockTimeout().toMillis()));
                try {
                    statement.execute("BEGIN IMMEDIATE");
                } catch (SQLException again) {
                    if (SqliteFailure.isBusy(again)) {
                        throw new CrystalDbException(ExitCode.BUSY, "database " + database.file() + " is in use: " + holder
                                + " held its write lock for longer than --lock-timeout " + database.lockTimeout().toSeconds()
                                + "s; stop the app (systemctl stop ...) or raise --lock-timeout; nothing was changed");
                    }
                    throw again;
                }
            }
            statement.execute("PRAGMA busy_timeout = " + Math.min(Integer.MAX_VALUE, database.lockTimeout().toMillis()));
            return new WriteTransaction(database, connection);
        } catch (SQLException e) {
            closeQuietly(connection);
            throw database.translate(e, "take the write lock on " + database.file());
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    private static String holderOf(SqliteDatabase database) {
        List<ProcLocks.Holder> writers = ProcLocks.sqliteWriters(database.file());
        if (!writers.isEmpty()) {
            return writers.get(0).toString();
        }
        List<OpenFileScanner.Holder> open = OpenFileScanner.writersOf(database.file());
        return open.isEmpty() ? "another process" : "another process (" + open.get(0) + " has it open)";
    }

    public SqliteDatabase database() {
        return database;
    }

    /**
     * The connection statements of the change run on. Handed to a library, it cannot end the
     * transaction: commit, rollback and close on it do nothing.
     */
    public Connection connection() {
        return unit;
    }

    /** Makes the change durable and releases the write lock. */
    public void commit() {
        try (Statement statement = connection.createStatement()) {
            statement.execute("COMMIT");
            open = false;
        } catch (SQLException e) {
            throw database.translate(e, "commit the change to " + database.file());
        }
    }

    /**
     * Keeps the write lock, and the connection, until the process ends. A restore needs this: once
     * another file has the database's name, closing this connection could checkpoint into the
     * replaced file and delete the -wal and -shm by name, which by then may belong to the restored
     * database. The process's exit releases the lock without touching any file.
     */
    public void keepUntilExit() {
        synchronized (KEPT) {
            KEPT.add(connection);
        }
        kept = true;
    }

    /** Rolls back what was not committed and releases the lock (unless kept). */
    @Override
    public void close() {
        if (kept) {
            return;
        }
        if (open) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("ROLLBACK");
            } catch (SQLException ignored) {
                // SQLite already rolled back (some errors end the transaction themselves)
            }
            open = false;
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing was left to release
        }
    }
}
