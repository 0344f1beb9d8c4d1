package dev.crystaldb.backup;

import dev.crystaldb.db.FileOwner;
import dev.crystaldb.db.SafeDirectory;
import dev.crystaldb.db.ScratchDirectory;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.progress.Progress;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one backup writer: an online-consistent copy of a live database that never appears under
 * its final name unless complete and verified. The copy is made with SQLite's backup API in a
 * single step from a read transaction (a consistent snapshot that concurrent writers cannot
 * restart), in a private scratch directory nobody else can put anything in; every result code is
 * checked; the copy is switched to a rollback journal so it is one self-contained file, and
 * published only when its page count and schema equal the snapshot's and its pages pass a check.
 * Then it is fsynced, given to the database's owner and linked into place under a name no other
 * backup has.
 */
public final class BackupWriter {
    /** Head room asked beyond the database's size, so a backup never fills the disk to the last byte. */
    private static final long MARGIN_BYTES = 16L * 1024 * 1024;
    /** Hidden files of runs before scratch directories ({@code .<stem>_<pid>_<nanos>.db.partial...}): tidied the same way. */
    private static final Pattern OLD_PARTIAL = Pattern.compile("\\.(.+)_(\\d+)_\\d+\\.db\\.(partial(\\.gz)?(-journal|-wal)?|pending-emergency)");

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

    /**
     * As {@link #write(SqliteDatabase, Path, String, boolean)}; with compress the verified copy is
     * stored gzipped (.db.gz). Any failure is exit 1 (busy: 3) and leaves no file behind.
     */
    public BackupResult write(SqliteDatabase database, Path directory, String reason, boolean fullCheck, boolean compress) {
        long started = System.nanoTime();
        FileOwner owner = ownerOf(database.file());
        String stem = BackupName.stemOf(database.file().getFileName().toString());
        try (SafeDirectory backups = openDirectory(directory, owner)) {
            removeOldPartialFiles(backups);
            // the backup API grows the copy page by page, so its size against this tells how far it is
            long total = requireFreeSpace(database.file(), directory, compress);
            try (ScratchDirectory work = ScratchDirectory.createFor(backups)) {
                SafeDirectory scratch = work.directory();
                String copyName = stem + ".db";
                scratch.createPrivateFile(copyName).close(); // 0600 before any data is in it
                Path copy = scratch.resolve(copyName);
                CopyCheck.Facts snapshot;
                try (Progress.Step step = progress.start("backing up " + database.file().getFileName(), total, () -> sizeOrZero(copy))) {
                    snapshot = copy(database, copy);
                }
                try (Progress.Step step = progress.start("checking the copy (" + (fullCheck ? "integrity_check" : "quick_check") + ")")) {
                    detach(copy);
                    verify(copy, snapshot, fullCheck);
                }
                String finished = copyName;
                if (compress) {
                    finished = copyName + ".gz";
                    try (FileChannel in = scratch.openRegularFile(copyName); FileChannel out = scratch.createPrivateFile(finished)) {
                        FileCopy.gzip(in, out, progress, "compressing the copy");
                        out.force(true);
                    }
                }
                try (FileChannel file = scratch.openRegularFile(finished)) {
                    file.force(true);
                }
                scratch.giveTo(finished, owner);
                String published = publish(scratch, finished, backups, new BackupName(stem, now(), 1, reason, compress));
                backups.fsync();
                return new BackupResult(backups.resolve(published), Files.size(backups.resolve(published)), (System.nanoTime() - started) / 1_000_000);
            }
        } catch (IOException e) {
            throw failure(e, "write a backup in " + directory);
        }
    }

    /**
     * The newest backup taken for reason, when it can stand in for a new one (so a service that
     * fails to start in a loop does not pile up copies of one state): a sound uncompressed file
     * that passes the check a new backup passes (quick_check, every page) and holds exactly what
     * the database holds now ({@link ContentComparison}). The caller holds SQLite's write lock on
     * database, so nothing changes it between the comparison and the change. Empty when in any
     * doubt; why a backup that no longer verifies is passed over goes to notices.
     */
    public Optional<BackupResult> reusable(SqliteDatabase database, Path directory, String reason, Consumer<String> notices) {
        long started = System.nanoTime();
        Optional<BackupEntry> newest = new BackupCatalog(directory, database.file()).latestWithReason(reason);
        if (newest.isEmpty() || newest.get().name().compressed()) {
            return Optional.empty();
        }
        Path file = newest.get().file();
        try {
            CopyCheck.check(file, CopyCheck.Depth.PAGES);
        } catch (CopyCheck.Unsound e) {
            notices.accept("the newest " + reason + " backup " + file.getFileName() + " does not verify (" + e.getMessage() + "): taking a new one");
            return Optional.empty();
        }
        try (Connection live = database.openReadOnly(); Statement liveRead = live.createStatement();
             Connection copy = SqliteDatabase.ownFile(file, Duration.ofSeconds(5)).openReadOnly(); Statement copyRead = copy.createStatement()) {
            liveRead.execute("BEGIN");
            copyRead.execute("BEGIN");
            try {
                if (ContentComparison.firstDifference(live, copy).isPresent()) {
                    return Optional.empty();
                }
            } finally {
                liveRead.execute("COMMIT");
                copyRead.execute("COMMIT");
            }
            return Optional.of(new BackupResult(file, Files.size(file), (System.nanoTime() - started) / 1_000_000, true));
        } catch (SQLException | IOException | RuntimeException e) {
            return Optional.empty(); // not comparable is not the same: a new backup is taken (and reports what is wrong)
        }
    }

    /**
     * The last resort when SQLite cannot read the database (it is damaged): the file and its WAL
     * copied byte for byte, so that nothing is lost before it is replaced. Only for a database no
     * connection of this process has open (closing a plain file handle drops SQLite's locks).
     */
    public BackupResult writeRawCopy(Path database, Path directory, String reason) {
        long started = System.nanoTime();
        FileOwner owner = ownerOf(database);
        String stem = BackupName.stemOf(database.getFileName().toString());
        try (SafeDirectory backups = openDirectory(directory, owner); SafeDirectory source = SafeDirectory.open(database.getParent())) {
            try (ScratchDirectory work = ScratchDirectory.createFor(backups)) {
                SafeDirectory scratch = work.directory();
                String name = database.getFileName().toString();
                rawCopy(source, name, scratch, stem + ".db");
                boolean wal = source.isRegularFile(name + "-wal");
                if (wal) {
                    rawCopy(source, name + "-wal", scratch, stem + ".db-wal");
                }
                scratch.giveTo(stem + ".db", owner);
                String published = publish(scratch, stem + ".db", backups, new BackupName(stem, now(), 1, reason, false));
                if (wal) {
                    scratch.giveTo(stem + ".db-wal", owner);
                    scratch.link(stem + ".db-wal", backups, published + "-wal");
                }
                backups.fsync();
                return new BackupResult(backups.resolve(published), Files.size(backups.resolve(published)), (System.nanoTime() - started) / 1_000_000);
            }
        } catch (IOException e) {
            throw failure(e, "copy " + database + " into " + directory);
        }
    }

    /**
     * Deletes a backup this run published and no longer needs; true when it went. Only through
     * the directory's handle, and only the regular file of that name.
     */
    public boolean withdraw(BackupResult backup) {
        try (SafeDirectory backups = SafeDirectory.open(backup.file().getParent())) {
            String name = backup.file().getFileName().toString();
            return backups.isRegularFile(name) && backups.deleteIfExists(name);
        } catch (IOException e) {
            return false; // a second copy left behind loses nothing
        }
    }

    private void rawCopy(SafeDirectory from, String name, SafeDirectory to, String copyName) throws IOException {
        try (FileChannel in = from.openRegularFile(name); FileChannel out = to.createPrivateFile(copyName)) {
            FileCopy.copy(in, out, progress, "copying " + name + " as it is");
            out.force(true);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static FileOwner ownerOf(Path database) {
        try {
            return FileOwner.of(database);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot read the owner of " + database + ": " + e.getMessage(), e);
        }
    }

    /** The backup directory, created (for the database's owner) when missing; never through a symlink. */
    public static SafeDirectory openDirectory(Path directory, FileOwner owner) {
        try {
            return SafeDirectory.openOrCreate(directory, owner);
        } catch (NoSuchFileException e) {
            throw CrystalDbException.usage("cannot create backup directory " + directory + ": " + e.getFile() + " does not exist; "
                    + "create it or choose another with --backup-dir");
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot use backup directory " + directory + ": " + e.getMessage() + "; choose another with --backup-dir");
        }
    }

    /** Hidden files of runs that predate scratch directories, once their process is gone. */
    private static void removeOldPartialFiles(SafeDirectory directory) {
        try {
            for (String name : directory.names()) {
                Matcher old = OLD_PARTIAL.matcher(name);
                if (old.matches() && !ProcessHandle.of(Long.parseLong(old.group(2))).map(ProcessHandle::isAlive).orElse(false)) {
                    directory.deleteIfExists(name);
                }
            }
        } catch (IOException ignored) {
            // leftovers are hidden; failing to tidy them must not stop a backup
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

    /**
     * Copies from a read transaction, so the facts read first are those of the very snapshot
     * copied. The backup API reports failure as a result code, not an exception: every code but
     * SQLITE_OK is a failed backup.
     */
    private static CopyCheck.Facts copy(SqliteDatabase database, Path copy) {
        try (Connection connection = database.openReadOnly(); Statement statement = connection.createStatement()) {
            statement.execute("BEGIN");
            try {
                CopyCheck.Facts snapshot = CopyCheck.Facts.of(connection); // the first read pins the snapshot
                int waitMillis = 100;
                int tries = (int) Math.max(1, database.lockTimeout().toMillis() / waitMillis);
                // pagesPerStep -1: the whole database in one step, so concurrent writes cannot restart it
                int code = connection.unwrap(SQLiteConnection.class).getDatabase().backup("main", copy.toString(), null, waitMillis, tries, -1);
                if (code != 0) {
                    throw backupFailed(database, code);
                }
                return snapshot;
            } finally {
                statement.execute("COMMIT");
            }
        } catch (SQLException e) {
            throw database.translate(e, "back up " + database.file());
        }
    }

    private static CrystalDbException backupFailed(SqliteDatabase database, int code) {
        SQLiteErrorCode error = SQLiteErrorCode.getErrorCode(code);
        String name = error == SQLiteErrorCode.UNKNOWN_ERROR ? "code " + code : error.name();
        SqliteFailure kind = SqliteFailure.ofCode(code);
        if (kind == SqliteFailure.BUSY || error == SQLiteErrorCode.SQLITE_LOCKED) { // LOCKED: the source's connection is writing
            return database.busy();
        }
        if (kind == SqliteFailure.DISK_FULL) {
            return CrystalDbException.failed("cannot back up " + database.file() + ": the disk is full (" + name
                    + "); free some space or use --backup-dir; no backup was written", null);
        }
        return CrystalDbException.failed("cannot back up " + database.file() + ": SQLite's backup failed with " + name
                + " (" + error.message + "); no backup was written", null);
    }

    /** Backups are self-contained files: a copy of a database in WAL mode is switched to a rollback journal. */
    static void detach(Path copy) {
        try (Connection connection = SqliteDatabase.ownFile(copy, Duration.ofSeconds(5)).open();
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=DELETE");
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot make the backup copy self-contained: " + SqliteDatabase.ownFile(copy, Duration.ZERO)
                    .translate(e, "switch it to a rollback journal").getMessage(), e);
        }
    }

    /** A complete copy of the snapshot: every page, the same schema, and pages that read back. */
    private static void verify(Path copy, CopyCheck.Facts snapshot, boolean fullCheck) {
        CopyCheck.Facts copied;
        try {
            copied = CopyCheck.check(copy, fullCheck ? CopyCheck.Depth.FULL : CopyCheck.Depth.PAGES);
        } catch (CopyCheck.Unsound e) {
            throw CrystalDbException.failed("the backup copy is not sound (" + e.getMessage() + "); no backup was written"
                    + (e.getMessage().startsWith("damaged") ? ": the database itself may be damaged, run `crystal-db verify`" : ""), null);
        }
        if (copied.pageSize() != snapshot.pageSize() || copied.pageCount() != snapshot.pageCount()) {
            throw CrystalDbException.failed("the backup copy is incomplete: " + copied.pageCount() + " pages of " + copied.pageSize()
                    + " bytes, the database had " + snapshot.pageCount() + " of " + snapshot.pageSize() + "; no backup was written", null);
        }
        if (!copied.schema().equals(snapshot.schema())) {
            throw CrystalDbException.failed("the backup copy's schema differs from the database's; no backup was written", null);
        }
    }

    /** Links the finished copy under the first free name; a link never replaces an existing backup. */
    private static String publish(SafeDirectory scratch, String finished, SafeDirectory backups, BackupName name) throws IOException {
        for (int sequence = 1; ; sequence++) {
            String target = new BackupName(name.stem(), name.time(), sequence, name.reason(), name.compressed()).fileName();
            try {
                scratch.link(finished, backups, target);
                return target;
            } catch (FileAlreadyExistsException e) {
                // taken in the same second: try the next sequence number
            }
        }
    }

    /** Busy stays exit 3; a full disk and any other I/O failure are exit 1, never "bad input". */
    private static CrystalDbException failure(IOException e, String action) {
        CrystalDbException known = CrystalDbException.findIn(e);
        if (known != null) {
            return known;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
            return CrystalDbException.failed("cannot " + action + ": the disk is full; free some space or use --backup-dir; no backup was written", e);
        }
        return new CrystalDbException(ExitCode.FAILED, "cannot " + action + ": " + message + "; no backup was written", e);
    }
}
