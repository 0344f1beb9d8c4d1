package dev.crystaldb.backup;

import dev.crystaldb.db.DatabaseFileChecks;
import dev.crystaldb.db.FileOwner;
import dev.crystaldb.db.SafeDirectory;
import dev.crystaldb.db.ScratchDirectory;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.progress.Progress;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.zip.ZipException;

/**
 * Puts a backup in place of a database without ever leaving a mix of the two: the backup is
 * copied (or decompressed) into a private scratch directory (beside the database, or for a root run
 * the nearest directory above it only root can change: SafeDirectory#scratchParent) and checked
 * there; then, while the caller holds SQLite's write lock on the old database, the old WAL is
 * checkpointed into it (so removing the log loses nothing even if this process is killed the next
 * moment), its -wal, -shm and -journal are removed (SQLite would otherwise replay the old WAL onto
 * the restored file), and the checked copy is renamed over it.
 */
public final class BackupRestorer {
    private final Progress progress;

    public BackupRestorer() {
        this(Progress.NONE);
    }

    public BackupRestorer(Progress progress) {
        this.progress = progress;
    }

    /** A checked copy of a backup beside the database, waiting to be swapped in; closing it discards what was not swapped. */
    public static final class Staged implements AutoCloseable {
        private final SafeDirectory databaseDirectory;
        private final ScratchDirectory scratch;
        private final String name;

        private Staged(SafeDirectory databaseDirectory, ScratchDirectory scratch, String name) {
            this.databaseDirectory = databaseDirectory;
            this.scratch = scratch;
            this.name = name;
        }

        public Path file() {
            return scratch.resolve(name);
        }

        @Override
        public void close() {
            scratch.close();
            databaseDirectory.close();
        }
    }

    /**
     * Copies the backup beside the database and checks it: a backup that is not a whole, readable
     * SQLite file (empty, truncated, damaged, whatever its name) is refused, exit 2.
     */
    public Staged stage(BackupCatalog catalog, BackupEntry backup, Path database) {
        SafeDirectory directory = openDatabaseDirectory(database);
        ScratchDirectory work = null;
        try {
            work = ScratchDirectory.createFor(directory);
            SafeDirectory scratch = work.directory();
            String name = database.getFileName().toString();
            String copying = "copying " + backup.file().getFileName();
            try (FileChannel in = catalog.open(backup); FileChannel out = scratch.createPrivateFile(name)) {
                if (backup.name().compressed()) {
                    try {
                        FileCopy.gunzip(in, out, progress, copying);
                    } catch (ZipException | EOFException e) { // the backup's own bytes, not the disk written to
                        throw unrestorable(backup, "not a whole gzip file: " + e.getMessage());
                    }
                } else {
                    FileCopy.copy(in, out, progress, copying);
                }
                // the copy's write-back to disk overlaps its check, which reads it from the page
                // cache: on a large database the two take about as long (swapIn's fsync then
                // finds little to do). This channel stays open until SQLite's connections in the
                // check are closed: closing a descriptor of the file while SQLite has it open
                // would drop SQLite's POSIX locks.
                if (!backup.name().compressed()) {
                    stageWal(catalog, backup, scratch, name); // a raw emergency copy's commits may still be in its -wal
                }
                FutureTask<Void> writeBack = startWriteBack(out);
                try (Progress.Step step = progress.start("checking the copy (quick_check)")) {
                    CopyCheck.checkHeader(scratch.resolve(name)); // an empty or truncated file is refused before SQLite writes to it
                    BackupWriter.detach(scratch.resolve(name));
                    CopyCheck.check(scratch.resolve(name), CopyCheck.Depth.PAGES);
                } catch (CopyCheck.Unsound e) {
                    writeBackFailure(writeBack); // the check's verdict is what the operator needs
                    throw unrestorable(backup, e.getMessage());
                } catch (RuntimeException e) {
                    writeBackFailure(writeBack);
                    throw e;
                }
                IOException writeBackFailed = writeBackFailure(writeBack);
                if (writeBackFailed != null) {
                    throw writeBackFailed;
                }
            }
            return new Staged(directory, work, name);
        } catch (IOException | RuntimeException e) {
            if (work != null) {
                work.close();
            }
            directory.close();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw CrystalDbException.failed("cannot copy backup " + backup.file().getFileName() + " beside " + database + ": " + e.getMessage()
                    + "; nothing was changed", e);
        }
    }

    private static CrystalDbException unrestorable(BackupEntry backup, String why) {
        return CrystalDbException.usage("backup " + backup.file().getFileName() + " cannot be restored (" + why
                + "); nothing was changed: choose another one from `crystal-db backups`");
    }

    /** Copies the backup's -wal beside the staged copy; detaching the copy then checkpoints it in. */
    private void stageWal(BackupCatalog catalog, BackupEntry backup, SafeDirectory scratch, String name) throws IOException {
        Optional<FileChannel> wal = catalog.openWal(backup);
        if (wal.isEmpty()) {
            return;
        }
        try (FileChannel in = wal.get(); FileChannel out = scratch.createPrivateFile(name + "-wal")) {
            FileCopy.copy(in, out, progress, "copying " + backup.file().getFileName() + "-wal");
            out.force(true);
        }
    }

    private static SafeDirectory openDatabaseDirectory(Path database) {
        try {
            return SafeDirectory.open(database.getParent());
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot use the database's directory " + database.getParent() + ": " + e.getMessage());
        }
    }

    private static FutureTask<Void> startWriteBack(FileChannel channel) {
        FutureTask<Void> writeBack = new FutureTask<>(() -> {
            channel.force(true);
            return null;
        });
        Thread thread = new Thread(writeBack, "crystal-db write-back");
        thread.setDaemon(true);
        thread.start();
        return writeBack;
    }

    /** Waits for the write-back; its failure, or null. */
    private static IOException writeBackFailure(FutureTask<Void> writeBack) {
        try {
            writeBack.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IOException("interrupted while writing the copy to disk", e);
        }
    }

    /**
     * Replaces the database with the staged copy. The caller holds SQLite's write lock on the old
     * database (when SQLite can read it at all), so nothing commits to it from here on.
     */
    public void swapIn(Staged staged, SqliteDatabase database) {
        Path file = database.file();
        String name = file.getFileName().toString();
        try {
            if (!staged.scratch.directory().isRegularFile(staged.name)) {
                throw CrystalDbException.failed("the staged copy " + staged.file() + " is gone or was replaced; the database was not replaced", null);
            }
            PosixFileAttributes old = staged.databaseDirectory.attributes(name).orElse(null);
            if (old != null) {
                if ("wal".equals(checkpointIntoFile(database))) {
                    useWal(staged.file()); // backups are stored self-contained; the app's database was in WAL mode and stays so
                }
                staged.scratch.directory().chmod(staged.name, old.permissions());
                staged.scratch.directory().giveTo(staged.name, FileOwner.of(file));
            } else {
                // no database to take the owner from: the app's user owns its directory, as for upgrade --create
                staged.scratch.directory().giveTo(staged.name, FileOwner.of(file.getParent()));
            }
            try (FileChannel copy = staged.scratch.directory().openRegularFile(staged.name)) {
                copy.force(true);
            }
            for (String suffix : DatabaseFileChecks.SIDE_FILES) {
                staged.databaseDirectory.deleteIfExists(name + suffix);
            }
            staged.scratch.directory().rename(staged.name, staged.databaseDirectory, name);
            staged.databaseDirectory.fsync();
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot put the backup in place of " + file + ": " + e.getMessage()
                    + "; the database was not replaced", e);
        }
    }

    /**
     * Copies every frame of the old database's WAL into the database file, so that removing the
     * log loses nothing, and returns its journal mode. Runs beside the caller's write transaction
     * (a passive checkpoint does not wait for the writer, and there is none but the caller). A
     * reader still on an older snapshot keeps frames from being copied: exit 3. A database SQLite
     * cannot read is replaced all the same (its bytes are in the emergency copy).
     */
    private static String checkpointIntoFile(SqliteDatabase database) {
        try (Connection connection = database.open(); Statement statement = connection.createStatement()) {
            String mode = SqliteQueries.scalar(connection, "PRAGMA journal_mode");
            mode = mode == null ? "delete" : mode.toLowerCase(Locale.ROOT);
            if (mode.equals("wal")) {
                try (ResultSet rows = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                    long log = rows.next() ? rows.getLong(2) : -1;
                    long copied = rows.getLong(3);
                    if (log < 0 || copied < log) {
                        throw new CrystalDbException(ExitCode.BUSY, "another process is still reading an older state of " + database.file()
                                + " (" + copied + " of " + log + " WAL frames could be copied into it); stop the app (or pass --service UNIT); "
                                + "the database was not replaced");
                    }
                }
            }
            return mode;
        } catch (SQLException e) {
            if (SqliteFailure.isBusy(e)) {
                throw database.translate(e, "checkpoint " + database.file());
            }
            return "unknown";
        }
    }

    private static void useWal(Path staged) {
        try (Connection connection = SqliteDatabase.ownFile(staged, Duration.ofSeconds(5)).open();
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot switch the restored copy to WAL mode: " + e.getMessage(), e);
        }
    }
}
