package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.errors.Failures;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * One SQLite database file: how crystal-db opens it. Connections wait for other writers up to the
 * lock timeout (SQLite's busy timeout) and keep foreign keys off (SQLite's default) so that a
 * table rebuild never cascades; callers run PRAGMA foreign_key_check instead. A change holds
 * SQLite's write lock through a {@link WriteTransaction}. The file is always opened by its real
 * path, and SQLite is told never to follow a symlink to it. The checks that need no SQLite are
 * {@link DatabaseFileChecks}'; what SQLite's errors mean is {@link SqliteFailure}'s.
 */
public final class SqliteDatabase {
    /** SQLITE_OPEN_NOFOLLOW (sqlite3.h), not among sqlite-jdbc's open modes. */
    private static final int OPEN_NOFOLLOW = 0x01000000;

    private final Path file;
    private final Duration lockTimeout;
    private final boolean mayCreate;

    private SqliteDatabase(Path file, Duration lockTimeout, boolean mayCreate) {
        this.file = file;
        this.lockTimeout = lockTimeout;
        this.mayCreate = mayCreate;
    }

    /**
     * For commands that only read (status, history, verify, --dry-run): an existing SQLite file,
     * opened read-only, so its bytes never change. When SQLite would have to write to read it (a
     * hot journal to roll back, a write-ahead log nobody has open to replay) this says so, exit 1.
     */
    public static SqliteDatabase forReading(Path file, Duration lockTimeout) {
        DatabaseFileChecks.requirePresent(file);
        DatabaseFileChecks.requireNoOrphanedLog(file);
        SqliteDatabase database = new SqliteDatabase(file, lockTimeout, false);
        database.requireReadableWithoutWriting();
        return database;
    }

    /**
     * For `backup`: as {@link #forReading}, but a write-ahead log no process has open is read
     * with the database (read-only, in memory), not refused: after a crash, the copy that holds
     * the app's last commits is the one most wanted.
     */
    public static SqliteDatabase forCopying(Path file, Duration lockTimeout) {
        DatabaseFileChecks.requirePresent(file);
        SqliteDatabase database = new SqliteDatabase(file, lockTimeout, false);
        database.requireReadableWithoutWriting();
        return database;
    }

    /**
     * For a change, under crystal-db's lock, of a file {@link DatabaseFileChecks#requirePresent}
     * accepted before the lock: it must be writable, and SQLite must take it (opening it read-write
     * rolls back a hot journal left by a killed writer, as any writer's first open does).
     */
    public static SqliteDatabase forChanging(Path file, Duration lockTimeout) {
        DatabaseFileChecks.requireChangeable(file);
        SqliteDatabase database = new SqliteDatabase(file, lockTimeout, false);
        database.requireSqliteFormat();
        return database;
    }

    /** A database the change creates (missing, or an empty file given with --create); the first write makes it. */
    public static SqliteDatabase creating(Path file, Duration lockTimeout) {
        DatabaseFileChecks.requireCreatable(file);
        return new SqliteDatabase(file, lockTimeout, true);
    }

    /** A file crystal-db wrote itself (a backup copy, a scratch database): opened without the checks above. */
    public static SqliteDatabase ownFile(Path file, Duration lockTimeout) {
        return new SqliteDatabase(file, lockTimeout, false);
    }

    /**
     * A database about to be replaced by a restore: it may be missing or damaged, so it is not
     * checked; whatever reads it must expect that.
     */
    public static SqliteDatabase forReplacement(Path file, Duration lockTimeout) {
        DatabaseFileChecks.requireNotDirectory(file);
        return new SqliteDatabase(file, lockTimeout, false);
    }

    public Path file() {
        return file;
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** True once the file holds a database (an empty file given with --create does not yet). */
    public boolean exists() {
        return DatabaseFileChecks.holdsData(file);
    }

    /** A read-write connection; creates the file only when this database was opened with {@link #creating}. */
    public Connection open() {
        return connect(false);
    }

    public Connection openReadOnly() {
        return connect(true);
    }

    /** SQLite's write lock, for one change: see {@link WriteTransaction}. notices hears at once when it has to wait. */
    public WriteTransaction beginWrite(Consumer<String> notices) {
        return WriteTransaction.begin(this, open(), notices);
    }

    private Connection connect(boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, lockTimeout.toMillis()));
        config.enforceForeignKeys(false);
        config.setReadOnly(readOnly);
        if (readOnly || !mayCreate) {
            config.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        Properties properties = config.toProperties();
        int flags = Integer.parseInt(properties.getProperty(SQLiteConfig.Pragma.OPEN_MODE.pragmaName, "6"));
        properties.setProperty(SQLiteConfig.Pragma.OPEN_MODE.pragmaName, Integer.toString(flags | OPEN_NOFOLLOW));
        try {
            return JDBC.createConnection("jdbc:sqlite:" + file, properties);
        } catch (SQLException e) {
            throw translate(e, "open " + file);
        }
    }

    /** Asks SQLite itself, read-write (so a hot journal is rolled back here, before the change). */
    private void requireSqliteFormat() {
        try (Connection connection = open(); Statement statement = connection.createStatement()) {
            statement.executeQuery("PRAGMA schema_version").close();
        } catch (SQLException | CrystalDbException e) {
            throw notReadable(e);
        }
    }

    /** Opens read-only; a file SQLite could read only by writing to it first (a hot journal) is refused, naming why. */
    private void requireReadableWithoutWriting() {
        try (Connection connection = openReadOnly(); Statement statement = connection.createStatement()) {
            statement.executeQuery("PRAGMA schema_version").close();
        } catch (SQLException | CrystalDbException e) {
            if (SqliteFailure.of(e) == SqliteFailure.HOT_JOURNAL) {
                throw CrystalDbException.failed("database " + file + " has a hot journal (" + file.getFileName()
                        + "-journal) left by an interrupted write: SQLite must roll it back before the database can be read, and this "
                        + "command only reads; run a change command (crystal-db upgrade) or start the app to roll it back", null);
            }
            throw notReadable(e);
        }
    }

    private CrystalDbException notReadable(Exception e) {
        switch (SqliteFailure.of(e)) {
            case DAMAGED:
                return CrystalDbException.failed("database " + file + " is damaged (" + Failures.firstLine(e)
                        + "): run `crystal-db verify` to see what is wrong, and restore a backup with `crystal-db rollback`", e);
            case NOT_A_DATABASE:
                return DatabaseFileChecks.notADatabase(file);
            default:
                return e instanceof CrystalDbException known ? known : translate(e, "read " + file);
        }
    }

    /** Maps an SQLite failure to the operator's terms: busy is exit 3, anything else (a full disk too) exit 1. */
    public CrystalDbException translate(Throwable error, String action) {
        CrystalDbException known = CrystalDbException.findIn(error);
        if (known != null) {
            return known;
        }
        return switch (SqliteFailure.of(error)) {
            case BUSY -> busy();
            case DISK_FULL -> CrystalDbException.failed("cannot " + action + ": the disk is full; free some space and run again", error);
            default -> CrystalDbException.failed("cannot " + action + ": " + Failures.firstLine(error), error);
        };
    }

    public CrystalDbException busy() {
        return new CrystalDbException(ExitCode.BUSY, "database " + file + " is in use: another process held its write lock for longer than --lock-timeout "
                + lockTimeout.toSeconds() + "s; stop the app (systemctl stop ...) or raise --lock-timeout");
    }
}
