package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * One SQLite database file: how crystal-db opens it. Connections wait for other writers up to the
 * lock timeout (SQLite's busy timeout) and keep foreign keys off (SQLite's default) so that a
 * table rebuild never cascades; callers run PRAGMA foreign_key_check instead. A change holds
 * SQLite's write lock through a {@link WriteTransaction}. The file is always opened by its real
 * path, and SQLite is told never to follow a symlink to it.
 */
public final class SqliteDatabase {
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** SQLITE_OPEN_NOFOLLOW (sqlite3.h), not among sqlite-jdbc's open modes. */
    private static final int OPEN_NOFOLLOW = 0x01000000;
    /** The files SQLite keeps beside a database. */
    public static final List<String> SIDE_FILES = List.of("-journal", "-wal", "-shm");

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
        requirePresent(file);
        SqliteDatabase database = new SqliteDatabase(file, lockTimeout, false);
        database.requireNoOrphanedLog();
        database.requireReadableWithoutWriting();
        return database;
    }

    /**
     * For `backup`: as {@link #forReading}, but a write-ahead log no process has open is read
     * with the database (read-only, in memory), not refused: after a crash, the copy that holds
     * the app's last commits is the one most wanted.
     */
    public static SqliteDatabase forCopying(Path file, Duration lockTimeout) {
        requirePresent(file);
        SqliteDatabase database = new SqliteDatabase(file, lockTimeout, false);
        database.requireReadableWithoutWriting();
        return database;
    }

    /**
     * For a change, under crystal-db's lock, of a file {@link #requirePresent} accepted before the
     * lock: it must be writable, and SQLite must take it (opening it read-write rolls back a hot
     * journal left by a killed writer, as any writer's first open does).
     */
    public static SqliteDatabase forChanging(Path file, Duration lockTimeout) {
        requireChangeable(file);
        SqliteDatabase database = new SqliteDatabase(file, lockTimeout, false);
        database.requireSqliteFormat();
        return database;
    }

    /** A database the change creates (missing, or an empty file given with --create); the first write makes it. */
    public static SqliteDatabase creating(Path file, Duration lockTimeout) {
        requireCreatable(file);
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
        requireNotDirectory(file);
        return new SqliteDatabase(file, lockTimeout, false);
    }

    /**
     * The checks that need no SQLite (so no lock): the file exists, is a regular file (a FIFO or a
     * device is refused before anything opens it, as opening one may block), can be read, starts
     * with SQLite's header (an empty file is no database: only --create takes one), and has no
     * symlink or other odd file in place of its -journal, -wal or -shm. Commands run them before
     * taking crystal-db's lock, so a refusal creates no lock file.
     */
    public static void requirePresent(Path file) {
        PosixFileAttributes attributes = attributesOrNull(file);
        if (attributes == null) {
            throw CrystalDbException.usage("database " + file
                    + " does not exist: check --db / CRYSTAL_DB, or pass --create to make a new one");
        }
        requireRegular(file, attributes);
        if (!Files.isReadable(file)) {
            throw CrystalDbException.usage("cannot read " + file + ": permission denied; run as the database owner");
        }
        if (attributes.size() == 0) {
            throw CrystalDbException.usage(file + " is empty (0 bytes), not an SQLite database: check --db, "
                    + "or pass --create to make a new database in it");
        }
        if (!hasSqliteHeader(file)) {
            throw notADatabase(file);
        }
        requireOrdinarySideFiles(file);
    }

    /** True for an existing empty regular file: a new database only with --create. */
    public static boolean isEmptyFile(Path file) {
        PosixFileAttributes attributes = attributesOrNull(file);
        return attributes != null && attributes.isRegularFile() && attributes.size() == 0;
    }

    private static PosixFileAttributes attributesOrNull(Path file) {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot read " + file + ": " + e.getMessage() + "; check --db");
        }
    }

    private static void requireRegular(Path file, PosixFileAttributes attributes) {
        if (attributes.isDirectory()) {
            throw CrystalDbException.usage(file + " is a directory, not an SQLite database file: pass the file with --db");
        }
        if (!attributes.isRegularFile()) {
            throw CrystalDbException.usage(file + " is not a regular file (" + (attributes.isSymbolicLink() ? "a symlink" : "a FIFO, socket or device")
                    + "), so it is no SQLite database: pass the database file itself with --db");
        }
    }

    /** SQLite opens these by name and would follow a symlink put there: refuse one, naming it. */
    private static void requireOrdinarySideFiles(Path file) {
        for (String suffix : SIDE_FILES) {
            Path side = Path.of(file + suffix);
            PosixFileAttributes attributes = attributesOrNull(side);
            if (attributes != null && !attributes.isRegularFile()) {
                throw CrystalDbException.usage(side + " is not a regular file (" + (attributes.isSymbolicLink() ? "a symlink" : "a directory, FIFO or device")
                        + "); SQLite would open it as the database's " + suffix.substring(1) + ": remove it, then run again");
            }
        }
    }

    /**
     * A change needs the file writable. Root may write anything, so for root the owner's write bit
     * decides: a database its owner made read-only (chmod 0444) stays unchanged.
     */
    public static void requireChangeable(Path file) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            boolean writable = FileOwner.runningAsRoot() ? attributes.permissions().contains(PosixFilePermission.OWNER_WRITE)
                    : Files.isWritable(file);
            if (!writable) {
                throw CrystalDbException.usage("database " + file + " is read-only (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(attributes.permissions())
                        + "); nothing was changed: make it writable for its owner (chmod u+w) to change it");
            }
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot read " + file + ": " + e.getMessage() + "; check --db");
        }
        requireWritableDirectory(file);
    }

    private static void requireWritableDirectory(Path file) {
        Path parent = file.getParent();
        if (parent != null && !FileOwner.runningAsRoot() && !Files.isWritable(parent)) {
            throw CrystalDbException.usage("directory " + parent + " is not writable, and SQLite needs to write its journal there; "
                    + "run as the database owner");
        }
    }

    /** The file's first 16 bytes are SQLite's magic string; read only from a regular file (checked before). */
    private static boolean hasSqliteHeader(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer header = ByteBuffer.allocate(SQLITE_HEADER.length);
            while (header.hasRemaining() && channel.read(header) >= 0) {
                // read until full or the end of the file
            }
            return Arrays.equals(header.array(), SQLITE_HEADER);
        } catch (AccessDeniedException e) {
            throw CrystalDbException.usage("cannot read " + file + ": permission denied; run as the database owner");
        } catch (IOException e) {
            return true; // SQLite's own open reports what is wrong
        }
    }

    private static CrystalDbException notADatabase(Path file) {
        return CrystalDbException.usage(file + " is not an SQLite database (wrong file header): check --db");
    }

    private static void requireNotDirectory(Path file) {
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw CrystalDbException.usage(file + " is a directory, not an SQLite database file: pass the file with --db");
        }
    }

    /** The check before creating a file that needs no SQLite (so no lock): its directory exists. */
    public static void requireCreatable(Path file) {
        Path parent = file.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw CrystalDbException.usage("cannot create " + file + ": directory " + parent + " does not exist");
        }
        PosixFileAttributes attributes = attributesOrNull(file);
        if (attributes != null) {
            requireRegular(file, attributes);
        }
        requireOrdinarySideFiles(file);
        requireWritableDirectory(file);
    }

    public Path file() {
        return file;
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** True once the file holds a database (an empty file given with --create does not yet). */
    public boolean exists() {
        PosixFileAttributes attributes = attributesOrNull(file);
        return attributes != null && attributes.size() > 0;
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

    /**
     * A non-empty -wal without its -shm (the index every connection keeps beside it, left behind
     * too when an app dies) that no process holds open was moved or copied here: from another
     * database it would destroy this one. SQLite would have to rebuild the index, writing, to read
     * it; only the operator knows where the log came from.
     */
    private void requireNoOrphanedLog() {
        Path wal = Path.of(file + "-wal");
        Path shm = Path.of(file + "-shm");
        if (sizeOf(wal) > 0 && sizeOf(shm) == 0 && ProcLocks.available() && ProcLocks.holders(file).isEmpty()) {
            throw CrystalDbException.failed("database " + file + " has a write-ahead log " + wal.getFileName() + " (" + sizeOf(wal)
                    + " bytes) without its " + shm.getFileName() + ", and no process has it open: SQLite would replay it into the database, "
                    + "and this command only reads. If the log was copied or moved in with the database, its last commits are in it: run "
                    + "a change command (crystal-db upgrade) to replay them; if it belongs to another database, move it away first", null);
        }
    }

    /** Opens read-only; a file SQLite could read only by writing to it first (a hot journal) is refused, naming why. */
    private void requireReadableWithoutWriting() {
        try (Connection connection = openReadOnly(); Statement statement = connection.createStatement()) {
            statement.executeQuery("PRAGMA schema_version").close();
        } catch (SQLException | CrystalDbException e) {
            if (resultCode(e) == SQLiteErrorCode.SQLITE_READONLY_ROLLBACK) {
                throw CrystalDbException.failed("database " + file + " has a hot journal (" + file.getFileName()
                        + "-journal) left by an interrupted write: SQLite must roll it back before the database can be read, and this "
                        + "command only reads; run a change command (crystal-db upgrade) or start the app to roll it back", null);
            }
            throw notReadable(e);
        }
    }

    private CrystalDbException notReadable(Exception e) {
        if (resultCode(e) == SQLiteErrorCode.SQLITE_CORRUPT) {
            return CrystalDbException.failed("database " + file + " is damaged (" + firstLine(e)
                    + "): run `crystal-db verify` to see what is wrong, and restore a backup with `crystal-db rollback`", e);
        }
        if (isNotADatabase(e)) {
            return notADatabase(file);
        }
        if (e instanceof CrystalDbException known) {
            return known;
        }
        return translate(e, "read " + file);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** SQLite's result code in a failure's causes, or null. */
    public static SQLiteErrorCode resultCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException s) {
                return s.getResultCode();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** True when SQLite found the file damaged (a bad page, a broken schema) rather than busy or missing. */
    public static boolean isDamaged(Throwable error) {
        SQLiteErrorCode code = resultCode(error);
        return code == SQLiteErrorCode.SQLITE_CORRUPT || code == SQLiteErrorCode.SQLITE_NOTADB;
    }

    private static boolean isNotADatabase(Throwable e) {
        if (resultCode(e) == SQLiteErrorCode.SQLITE_NOTADB) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
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

    /** True when the disk (or the file system's quota) is full. */
    public static boolean isDiskFull(Throwable error) {
        SQLiteErrorCode code = resultCode(error);
        if (code == SQLiteErrorCode.SQLITE_FULL) {
            return true;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded")
                    || message.contains("database or disk is full"))) {
                return true;
            }
        }
        return false;
    }

    /** Maps an SQLite failure to the operator's terms: busy is exit 3, anything else (a full disk too) exit 1. */
    public CrystalDbException translate(Throwable error, String action) {
        CrystalDbException known = CrystalDbException.findIn(error);
        if (known != null) {
            return known;
        }
        if (isBusy(error)) {
            return busy();
        }
        if (isDiskFull(error)) {
            return CrystalDbException.failed("cannot " + action + ": the disk is full; free some space and run again", error);
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

    /** The first column of the first row of a query (a PRAGMA's value), or null. */
    public static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    /** The version of the SQLite library this build carries. */
    public static String libraryVersion() {
        try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
            return scalar(connection, "SELECT sqlite_version()");
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
