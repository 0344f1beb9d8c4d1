package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

/**
 * The checks of a database file that need no SQLite, so no lock: commands run them before taking
 * crystal-db's lock, so a refusal creates no lock file, and before SQLite opens anything, so a
 * FIFO, a symlink or a stray write-ahead log is refused by name instead of opened.
 */
public final class DatabaseFileChecks {
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** The files SQLite keeps beside a database. */
    public static final List<String> SIDE_FILES = List.of("-journal", "-wal", "-shm");

    private DatabaseFileChecks() {
    }

    /**
     * The file exists, is a regular file (a FIFO or a device is refused before anything opens it,
     * as opening one may block), can be read, starts with SQLite's header (an empty file is no
     * database: only --create takes one), and has no symlink or other odd file in place of its
     * -journal, -wal or -shm.
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
                        + PosixFilePermissions.toString(attributes.permissions())
                        + "); nothing was changed: make it writable for its owner (chmod u+w) to change it");
            }
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot read " + file + ": " + e.getMessage() + "; check --db");
        }
        requireWritableDirectory(file);
    }

    /** Before creating a database: its directory exists and can be written, and nothing odd has its name or its side files' names. */
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

    /** True for an existing empty regular file: a new database only with --create. */
    public static boolean isEmptyFile(Path file) {
        PosixFileAttributes attributes = attributesOrNull(file);
        return attributes != null && attributes.isRegularFile() && attributes.size() == 0;
    }

    /** True once the file holds a database (an empty file given with --create does not yet). */
    static boolean holdsData(Path file) {
        PosixFileAttributes attributes = attributesOrNull(file);
        return attributes != null && attributes.size() > 0;
    }

    /** A database about to be replaced may be missing or damaged; only a directory in its place is refused. */
    static void requireNotDirectory(Path file) {
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw CrystalDbException.usage(file + " is a directory, not an SQLite database file: pass the file with --db");
        }
    }

    /**
     * A non-empty -wal without its -shm (the index every connection keeps beside it, left behind
     * too when an app dies) that no process holds open was moved or copied here: from another
     * database it would destroy this one. SQLite would have to rebuild the index, writing, to read
     * it; only the operator knows where the log came from.
     */
    static void requireNoOrphanedLog(Path file) {
        Path wal = Path.of(file + "-wal");
        Path shm = Path.of(file + "-shm");
        if (sizeOf(wal) > 0 && sizeOf(shm) == 0 && ProcLocks.available() && ProcLocks.holders(file).isEmpty()) {
            throw CrystalDbException.failed("database " + file + " has a write-ahead log " + wal.getFileName() + " (" + sizeOf(wal)
                    + " bytes) without its " + shm.getFileName() + ", and no process has it open: SQLite would replay it into the database, "
                    + "and this command only reads. If the log was copied or moved in with the database, its last commits are in it: run "
                    + "a change command (crystal-db upgrade) to replay them; if it belongs to another database, move it away first", null);
        }
    }

    static CrystalDbException notADatabase(Path file) {
        return CrystalDbException.usage(file + " is not an SQLite database (wrong file header): check --db");
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
            return Arrays.equals(FileBytes.readStart(channel, SQLITE_HEADER.length), SQLITE_HEADER);
        } catch (AccessDeniedException e) {
            throw CrystalDbException.usage("cannot read " + file + ": permission denied; run as the database owner");
        } catch (IOException e) {
            return true; // SQLite's own open reports what is wrong
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
