package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One SQLite database file: how crystal-db opens it. Connections wait for other writers up to the
 * lock timeout (SQLite's busy timeout), start write transactions IMMEDIATE so a unit never fails
 * half-way for want of the write lock, and keep foreign keys off (SQLite's default) so that a
 * table rebuild never cascades; callers run PRAGMA foreign_key_check instead.
 */
public final class SqliteDatabase {
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final Duration lockTimeout;

    private SqliteDatabase(Path file, Duration lockTimeout) {
        this.file = file;
        this.lockTimeout = lockTimeout;
    }

    /** A database that must already exist and be an SQLite file. */
    public static SqliteDatabase existing(Path file, Duration lockTimeout) {
        requirePresent(file);
        return afterPresenceCheck(file, lockTimeout);
    }

    /** As {@link #existing} for a file {@link #requirePresent} already passed (before crystal-db's lock): SQLite's own check only. */
    public static SqliteDatabase afterPresenceCheck(Path file, Duration lockTimeout) {
        SqliteDatabase database = new SqliteDatabase(file, lockTimeout);
        database.requireSqliteFormat();
        return database;
    }

    /**
     * The checks that need no SQLite (so no lock): the file exists, is not a directory and can be
     * read. Commands run them before taking crystal-db's lock, so a refusal creates no lock file.
     */
    public static void requirePresent(Path file) {
        requireNotDirectory(file);
        if (!Files.exists(file)) {
            throw CrystalDbException.usage("database " + file
                    + " does not exist: check --db / CRYSTAL_DB, or pass --create to make a new one");
        }
        if (!Files.isReadable(file)) {
            throw CrystalDbException.usage("cannot read " + file + ": permission denied; run as the database owner");
        }
        if (!hasSqliteHeader(file)) {
            throw notADatabase(file);
        }
    }

    /** The file's first 16 bytes are SQLite's magic string; an empty file is an empty database, as SQLite takes it. */
    private static boolean hasSqliteHeader(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] header = in.readNBytes(SQLITE_HEADER.length);
            return header.length == 0 || Arrays.equals(header, SQLITE_HEADER);
        } catch (IOException e) {
            return true; // SQLite's own open reports what is wrong
        }
    }

    private static CrystalDbException notADatabase(Path file) {
        return CrystalDbException.usage(file + " is not an SQLite database (wrong file header): check --db");
    }

    /**
     * A database about to be replaced by a restore: it may be missing or damaged, so it is not
     * checked; whatever reads it must expect that.
     */
    public static SqliteDatabase forReplacement(Path file, Duration lockTimeout) {
        requireNotDirectory(file);
        return new SqliteDatabase(file, lockTimeout);
    }

    private static void requireNotDirectory(Path file) {
        if (Files.isDirectory(file)) {
            throw CrystalDbException.usage(file + " is a directory, not an SQLite database file: pass the file with --db");
        }
    }

    /** A database that may not exist yet; the first write connection creates it. */
    public static SqliteDatabase creating(Path file, Duration lockTimeout) {
        if (Files.exists(file)) {
            return existing(file, lockTimeout);
        }
        requireCreatable(file);
        return new SqliteDatabase(file, lockTimeout);
    }

    /** The check before creating a file that needs no SQLite (so no lock): its directory exists. */
    public static void requireCreatable(Path file) {
        Path parent = file.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw CrystalDbException.usage("cannot create " + file + ": directory " + parent + " does not exist");
        }
    }

    public Path file() {
        return file;
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /** A read-write connection; creates the file only when this database was opened with {@link #creating}. */
    public Connection open() {
        return open(false);
    }

    public Connection openReadOnly() {
        return open(true);
    }

    /** A data source for Flyway, with the same settings as {@link #open()}. */
    public SQLiteDataSource dataSource() {
        SQLiteDataSource source = new SQLiteDataSource(config(false));
        source.setUrl(url());
        return source;
    }

    private Connection open(boolean readOnly) {
        try {
            return config(readOnly).createConnection(url());
        } catch (SQLException e) {
            throw translate(e, "open " + file);
        }
    }

    private String url() {
        return "jdbc:sqlite:" + file;
    }

    private SQLiteConfig config(boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, lockTimeout.toMillis()));
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.enforceForeignKeys(false);
        config.setReadOnly(readOnly);
        if (readOnly || Files.exists(file)) {
            config.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        return config;
    }

    /**
     * Asks SQLite itself, so the live file is never opened with plain Java I/O (closing it would drop
     * SQLite's locks). Read-write when allowed: a hot journal left by a killed writer is then rolled
     * back here, as SQLite does on any normal open, instead of failing every later read-only open.
     */
    private void requireSqliteFormat() {
        try (Connection connection = Files.isWritable(file) ? open() : openReadOnly(); Statement statement = connection.createStatement()) {
            statement.executeQuery("PRAGMA schema_version").close();
        } catch (SQLException | CrystalDbException e) {
            if (isNotADatabase(e)) {
                throw notADatabase(file);
            }
            if (e instanceof CrystalDbException known) {
                throw known;
            }
            throw translate((SQLException) e, "read " + file);
        }
    }

    private static boolean isNotADatabase(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException s && (s.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB
                    || s.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT)) {
                return true;
            }
            if (t.getMessage() != null && t.getMessage().contains("file is not a database")) {
                return true;
            }
        }
        return false;
    }

    /** True when SQLite gave up waiting for another connection's lock. */
    public static boolean isBusy(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException s && s.getResultCode().name().startsWith("SQLITE_BUSY")) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("SQLITE_BUSY") || message.contains("database is locked"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Maps an SQLite failure to the operator's terms: busy is exit 3, anything else exit 1. */
    public CrystalDbException translate(Throwable error, String action) {
        CrystalDbException known = CrystalDbException.findIn(error);
        if (known != null) {
            return known;
        }
        if (isBusy(error)) {
            return busy();
        }
        return CrystalDbException.failed("cannot " + action + ": " + firstLine(error), error);
    }

    public CrystalDbException busy() {
        return new CrystalDbException(ExitCode.BUSY, "database " + file + " is in use: another process held its write lock for longer than --lock-timeout "
                + lockTimeout.toSeconds() + "s; stop the app (systemctl stop ...) or raise --lock-timeout");
    }

    static String firstLine(Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        int newline = message.indexOf('\n');
        return (newline >= 0 ? message.substring(0, newline) : message).trim();
    }

    /** Runs PRAGMA integrity_check (or quick_check) and returns the problems found; empty means ok. */
    public static List<String> integrityProblems(Connection connection, boolean quick) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check")) {
            while (rows.next()) {
                String line = rows.getString(1);
                if (!"ok".equalsIgnoreCase(line)) {
                    problems.add(line);
                }
            }
        }
        return problems;
    }

    /** Runs PRAGMA foreign_key_check and describes each violating row. */
    public static List<String> foreignKeyProblems(Connection connection) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA foreign_key_check")) {
            while (rows.next()) {
                problems.add("table " + rows.getString(1) + " rowid " + rows.getString(2)
                        + " refers to a missing row in " + rows.getString(3));
            }
        }
        return problems;
    }

    /** The version of the SQLite library this build carries. */
    public static String libraryVersion() {
        try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite::memory:");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT sqlite_version()")) {
            return rows.next() ? rows.getString(1) : "unknown";
        } catch (SQLException e) {
            return "unavailable (" + firstLine(e) + ")";
        }
    }

    public static boolean tableExists(Connection connection, String table) throws SQLException {
        try (var statement = connection.prepareStatement(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }
}
