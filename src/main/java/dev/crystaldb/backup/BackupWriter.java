package dev.crystaldb.backup;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.progress.Progress;
import org.sqlite.SQLiteConnection;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one backup writer: an online-consistent copy of a live database that never appears under
 * its final name unless complete and verified. The copy is made with SQLite's backup API in a
 * single step (a consistent snapshot that concurrent writers cannot restart), switched to a
 * rollback journal so it is one self-contained file, checked, fsynced, and then linked into place.
 */
public final class BackupWriter {
    /** Head room asked beyond the database's size, so a backup never fills the disk to the last byte. */
    private static final long MARGIN_BYTES = 16L * 1024 * 1024;

    /** Hidden temporary names: {@code .<stem>_<pid>_<nanos>.db.partial[.gz][-journal]}, and pending emergency links. */
    private static final String PARTIAL_PREFIX = ".";
    private static final String PENDING_LINK = ".db.pending-emergency";
    private static final Pattern PARTIAL = Pattern.compile("\\.(.+)_(\\d+)_\\d+\\.db\\.(partial(\\.gz)?(-journal|-wal)?|pending-emergency)");

    private final Clock clock;
    private final Progress progress;

    public BackupWriter(Clock clock) {
        this(clock, Progress.NONE);
    }

    public BackupWriter(Clock clock, Progress progress) {
        this.clock = clock;
        this.progress = progress;
    }

    /** Writes a backup of database into directory; reason (e.g. "pre-upgrade") may be null. */
    public BackupResult write(SqliteDatabase database, Path directory, String reason, boolean fullCheck) {
        return write(database, directory, reason, fullCheck, false);
    }

    /** As {@link #write(SqliteDatabase, Path, String, boolean)}; with compress the verified copy is stored gzipped (.db.gz). */
    public BackupResult write(SqliteDatabase database, Path directory, String reason, boolean fullCheck, boolean compress) {
        long started = System.nanoTime();
        createDirectory(directory);
        String stem = BackupName.stemOf(database.file().getFileName().toString());
        removeLeftoversOfKilledRuns(directory, stem, database.file());
        // the backup API grows the copy page by page, so its size against this tells how far it is
        long total = requireFreeSpace(database.file(), directory, compress);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Path partial = directory.resolve(PARTIAL_PREFIX + stem + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime() + ".db.partial");
        Path partialGz = Path.of(partial + ".gz");
        try {
            createPrivateFile(partial);
            try (Progress.Step step = progress.start("backing up " + database.file().getFileName(), total, () -> sizeOrZero(partial))) {
                copy(database, partial);
            }
            try (Progress.Step step = progress.start("checking the copy (" + (fullCheck ? "integrity_check" : "quick_check") + ")")) {
                verifyAndDetach(partial, fullCheck);
            }
            Path finished = partial;
            if (compress) {
                FileCopy.gzip(partial, partialGz, progress, "compressing the copy");
                finished = partialGz;
            }
            matchOwner(database.file(), finished);
            fsync(finished);
            Path target = publish(finished, directory, new BackupName(stem, now, 1, reason, compress));
            fsync(directory);
            return new BackupResult(target, Files.size(target), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot write backup in " + directory + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial);
            deleteQuietly(partialGz);
            deleteQuietly(Path.of(partial + "-journal"));
        }
    }

    /**
     * The last resort when SQLite cannot read the database (it is damaged): the file and its WAL
     * copied byte for byte, so that nothing is lost before it is replaced. Only for a database no
     * connection of this process has open (closing a plain file handle drops SQLite's locks).
     */
    public BackupResult writeRawCopy(Path database, Path directory, String reason) {
        long started = System.nanoTime();
        createDirectory(directory);
        String stem = BackupName.stemOf(database.getFileName().toString());
        Path partial = directory.resolve(PARTIAL_PREFIX + stem + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime() + ".db.partial");
        Path wal = Path.of(database + "-wal");
        Path partialWal = Path.of(partial + "-wal");
        try {
            FileCopy.copy(database, partial, progress, "copying " + database.getFileName() + " as it is");
            fsync(partial);
            if (Files.exists(wal)) {
                FileCopy.copy(wal, partialWal, progress, "copying " + wal.getFileName() + " as it is");
                fsync(partialWal);
            }
            Path target = publish(partial, directory, new BackupName(stem, clock.instant().truncatedTo(ChronoUnit.SECONDS), 1, reason, false));
            if (Files.exists(partialWal)) {
                Files.createLink(Path.of(target + "-wal"), partialWal);
            }
            fsync(directory);
            return new BackupResult(target, Files.size(target), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot copy " + database + " into " + directory + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial);
            deleteQuietly(partialWal);
        }
    }

    /**
     * A backup of a database that is about to be replaced, made without copying: after a full
     * checkpoint under the write lock, a hard link to the database file under a hidden name. Once
     * the restore has renamed another file over the database, that inode is nobody's live file any
     * more but a complete copy of the old state, and {@link PendingLink#publish()} gives it its
     * backup name. Empty when a link cannot be made (another filesystem) or the WAL could not be
     * checkpointed completely; the caller then copies with {@link #write}.
     */
    public Optional<PendingLink> linkForReplacement(SqliteDatabase database, Path directory, String reason) {
        createDirectory(directory);
        String stem = BackupName.stemOf(database.file().getFileName().toString());
        removeLeftoversOfKilledRuns(directory, stem, database.file());
        try (Connection connection = database.open(); Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                if (rows.next() && rows.getInt(1) != 0) {
                    return Optional.empty(); // readers kept part of the WAL: only a copy captures everything
                }
            }
            statement.execute("BEGIN IMMEDIATE"); // nobody may be in the middle of a write
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            if (SqliteDatabase.isBusy(e)) {
                throw database.translate(e, "take the write lock on " + database.file());
            }
            return Optional.empty();
        }
        Path hidden = directory.resolve(PARTIAL_PREFIX + stem + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime() + PENDING_LINK);
        try {
            Files.createLink(hidden, database.file());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        return Optional.of(new PendingLink(hidden, directory,
                new BackupName(stem, clock.instant().truncatedTo(ChronoUnit.SECONDS), 1, reason, false)));
    }

    /** Backups are self-contained files: a database that was in WAL mode is switched to a rollback journal. */
    private static void detach(Path file) {
        try (Connection connection = SqliteDatabase.existing(file, Duration.ofSeconds(5)).open();
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=DELETE");
        } catch (SQLException | CrystalDbException e) {
            // a damaged old database is kept exactly as it was: it is the state being replaced
        }
    }

    /** An emergency backup waiting for the swap: see {@link #linkForReplacement}. */
    public static final class PendingLink {
        private final Path hidden;
        private final Path directory;
        private final BackupName name;

        private PendingLink(Path hidden, Path directory, BackupName name) {
            this.hidden = hidden;
            this.directory = directory;
            this.name = name;
        }

        /** After the swap: the old inode gets its backup name and mode 0600. */
        public BackupResult publish() {
            try {
                Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString("rw-------"));
                detach(hidden);
                Path target = BackupWriter.publish(hidden, directory, name);
                Files.delete(hidden);
                fsync(directory);
                return new BackupResult(target, Files.size(target), 0);
            } catch (IOException e) {
                throw CrystalDbException.failed("the backup was restored, but naming the emergency backup " + hidden + " failed: "
                        + e.getMessage() + "; rename it by hand", e);
            }
        }

        /** The swap did not happen: the link is only a second name of the live database; drop it. */
        public void abandon() {
            deleteQuietly(hidden);
        }
    }

    /**
     * Temporary files of a run that was killed (its pid is gone) are removed before a new backup
     * starts. A pending emergency link of a rollback killed after its swap is the only copy of the
     * replaced database: it is published, not removed; one killed before the swap is still the
     * live database and only loses its extra name.
     */
    private void removeLeftoversOfKilledRuns(Path directory, String stem, Path database) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Matcher matcher = PARTIAL.matcher(file.getFileName().toString());
                if (!matcher.matches() || !matcher.group(1).equals(stem)
                        || ProcessHandle.of(Long.parseLong(matcher.group(2))).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (file.getFileName().toString().endsWith(PENDING_LINK) && !(Files.exists(database) && Files.isSameFile(file, database))) {
                    new PendingLink(file, directory, new BackupName(stem, clock.instant().truncatedTo(ChronoUnit.SECONDS), 1, "emergency", false))
                            .publish();
                } else {
                    deleteQuietly(file);
                }
            }
        } catch (IOException | CrystalDbException ignored) {
            // leftovers are hidden files; failing to tidy them must not stop a backup
        }
    }

    private static void createDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot create backup directory " + directory + ": " + e.getMessage()
                    + "; choose another with --backup-dir");
        }
        if (!Files.isWritable(directory)) {
            throw CrystalDbException.usage("backup directory " + directory + " is not writable; fix its permissions or use --backup-dir");
        }
    }

    /** The size of the database with its WAL, the most a copy can take, once there is room for it. */
    private static long requireFreeSpace(Path database, Path directory, boolean compress) {
        try {
            long copy = Files.size(database) + sizeIfExists(Path.of(database + "-wal"));
            // a compressed backup needs room for the plain copy and the gzip file at once
            long needed = (compress ? 2 * copy : copy) + MARGIN_BYTES;
            long free = Files.getFileStore(directory).getUsableSpace();
            if (free < needed) {
                throw CrystalDbException.failed("not enough free space in " + directory + " for a backup: "
                        + mib(free) + " free, " + mib(needed) + " needed; free some space or use --backup-dir", null);
            }
            return copy;
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot check free space in " + directory + ": " + e.getMessage(), e);
        }
    }

    private static long sizeIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** For progress, read from another thread while the file is being written. */
    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String mib(long bytes) {
        return (bytes / (1024 * 1024)) + " MiB";
    }

    private static void createPrivateFile(Path file) throws IOException {
        // created 0600 before any data is in it, so the copy is never readable by others
        FileCopy.createPrivate(file).close();
    }

    private static void copy(SqliteDatabase database, Path partial) {
        try (Connection connection = database.openReadOnly()) {
            SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
            // pagesPerStep -1: the whole database in one step, so concurrent writes cannot restart it
            int waitMillis = 100;
            int tries = (int) Math.max(1, database.lockTimeout().toMillis() / waitMillis);
            sqlite.getDatabase().backup("main", partial.toString(), null, waitMillis, tries, -1);
        } catch (SQLException e) {
            throw database.translate(e, "back up " + database.file());
        }
    }

    /** Makes the copy one self-contained file and checks it; throws when the copy is not sound. */
    private static void verifyAndDetach(Path partial, boolean fullCheck) {
        try (Connection connection = SqliteDatabase.existing(partial, Duration.ofSeconds(5)).open();
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=DELETE");
            List<String> problems = SqliteDatabase.integrityProblems(connection, !fullCheck);
            if (!problems.isEmpty()) {
                throw CrystalDbException.failed("the backup copy failed its check (" + problems.get(0)
                        + "); the database itself may be damaged: run `sqlite3 DB 'PRAGMA integrity_check'`", null);
            }
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot check the backup copy: " + e.getMessage(), e);
        }
    }

    /** When run as root, the backup belongs to whoever owns the database, as the app expects. */
    private static void matchOwner(Path database, Path partial) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        PosixFileAttributes owner = Files.readAttributes(database, PosixFileAttributes.class);
        PosixFileAttributeView view = Files.getFileAttributeView(partial, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        view.setOwner(owner.owner());
        view.setGroup(owner.group());
    }

    /** Links the finished copy under the first free name; a link never replaces an existing backup. */
    private static Path publish(Path partial, Path directory, BackupName name) throws IOException {
        for (int sequence = 1; ; sequence++) {
            Path target = directory.resolve(new BackupName(name.stem(), name.time(), sequence, name.reason(), name.compressed()).fileName());
            try {
                Files.createLink(target, partial);
                return target;
            } catch (FileAlreadyExistsException e) {
                // taken in the same second: try the next sequence number
            }
        }
    }

    static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, Files.isDirectory(path)
                ? new StandardOpenOption[]{StandardOpenOption.READ} : new StandardOpenOption[]{StandardOpenOption.WRITE})) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover .partial file is hidden and removed by the next run's cleanup
        }
    }
}
