package dev.crystaldb.backup;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.progress.Progress;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Puts a backup in place of a database without ever leaving a mix of the two: the backup is
 * copied (or decompressed) to a hidden file beside the database and checked there, the old
 * database is checkpointed, its -wal, -shm and -journal are removed (SQLite would otherwise replay
 * the old WAL onto the restored file), and the checked copy is renamed over it.
 */
public final class BackupRestorer {
    private static final Pattern STAGED = Pattern.compile("\\.(.+)\\.restore-(\\d+)\\.partial(-journal)?");

    private final Progress progress;

    public BackupRestorer() {
        this(Progress.NONE);
    }

    public BackupRestorer(Progress progress) {
        this.progress = progress;
    }

    /** Copies the backup beside the database and verifies it; the caller swaps it in or discards it. */
    public Path stage(BackupEntry backup, Path database) {
        removeLeftoversOfKilledRuns(database);
        Path staged = database.resolveSibling("." + database.getFileName() + ".restore-" + ProcessHandle.current().pid() + ".partial");
        try {
            Files.deleteIfExists(staged);
            String copying = "copying " + backup.file().getFileName();
            if (backup.name().compressed()) {
                FileCopy.gunzip(backup.file(), staged, progress, copying);
            } else {
                FileCopy.copy(backup.file(), staged, progress, copying);
            }
            // the copy's write-back to disk overlaps its quick_check, which reads it from the page
            // cache: on a large database the two take about as long (swapIn's fsync then finds little
            // to do). The channel is opened before SQLite's connection and closed after it, as closing
            // another descriptor of the file while SQLite has it open would drop SQLite's POSIX locks.
            try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                FutureTask<Void> writeBack = startWriteBack(channel);
                try (Progress.Step step = progress.start("checking the copy (quick_check)")) {
                    verify(staged, backup);
                } catch (RuntimeException e) {
                    writeBackFailure(writeBack); // the check's verdict is what the operator needs
                    throw e;
                }
                IOException writeBackFailed = writeBackFailure(writeBack);
                if (writeBackFailed != null) {
                    throw writeBackFailed;
                }
            }
            return staged;
        } catch (IOException e) {
            discard(staged);
            throw CrystalDbException.failed("cannot copy backup " + backup.file().getFileName() + " beside " + database + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            discard(staged);
            throw e;
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

    private static void verify(Path staged, BackupEntry backup) {
        try (Connection connection = SqliteDatabase.existing(staged, Duration.ofSeconds(5)).open();
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=DELETE");
            List<String> problems = SqliteDatabase.integrityProblems(connection, true);
            if (!problems.isEmpty()) {
                throw CrystalDbException.failed("backup " + backup.file().getFileName() + " is damaged (" + problems.get(0)
                        + "); choose another one from `crystal-db backups`", null);
            }
        } catch (SQLException e) {
            throw CrystalDbException.failed("backup " + backup.file().getFileName() + " cannot be read: " + e.getMessage()
                    + "; choose another one from `crystal-db backups`", e);
        } catch (CrystalDbException e) {
            if (e.getMessage().contains("not an SQLite database")) {
                throw CrystalDbException.failed("backup " + backup.file().getFileName() + " is not an SQLite database; choose another one", e);
            }
            throw e;
        }
    }

    /**
     * Replaces the database with the staged copy. Refuses (exit 3) while SQLite's write lock on
     * the old database is held past the lock timeout.
     */
    public void swapIn(Path staged, SqliteDatabase database) {
        Path file = database.file();
        // the directory may be writable by the app's user while crystal-db runs as root
        if (!Files.isRegularFile(staged, LinkOption.NOFOLLOW_LINKS)) {
            throw CrystalDbException.failed("the staged copy " + staged + " was replaced by something else; the database was not replaced", null);
        }
        try {
            if (Files.exists(file)) {
                if ("wal".equals(checkpointAndRelease(database))) {
                    useWal(staged); // backups are stored self-contained; the app's database was in WAL mode and stays so
                }
                copyOwnerAndMode(file, staged);
            }
            BackupWriter.fsync(staged);
            for (String suffix : new String[]{"-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
            Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            BackupWriter.fsync(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot put the backup in place of " + file + ": " + e.getMessage()
                    + "; the database was not replaced", e);
        }
    }

    /**
     * Moves everything from the old WAL into the old file (so removing the WAL loses nothing),
     * checks nobody is writing, and returns the old journal mode. A database SQLite cannot read any
     * more is replaced all the same (its bytes are in the emergency copy); busy is exit 3.
     */
    private static String checkpointAndRelease(SqliteDatabase database) {
        try (Connection connection = database.open(); Statement statement = connection.createStatement()) {
            String mode;
            try (var rows = statement.executeQuery("PRAGMA journal_mode")) {
                mode = rows.next() ? rows.getString(1).toLowerCase(Locale.ROOT) : "delete";
            }
            statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            statement.execute("BEGIN IMMEDIATE"); // waits (busy timeout) for the app's write lock, or fails busy
            statement.execute("ROLLBACK");
            return mode;
        } catch (SQLException | CrystalDbException e) {
            if (SqliteDatabase.isBusy(e)) {
                throw database.translate(e, "take the write lock on " + database.file());
            }
            return "unknown";
        }
    }

    private static void useWal(Path staged) {
        try (Connection connection = SqliteDatabase.existing(staged, Duration.ofSeconds(5)).open();
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot switch the restored copy to WAL mode: " + e.getMessage(), e);
        }
    }

    /** Never through a symlink put in place of the staged copy: chmod and chown would change its target. */
    private static void copyOwnerAndMode(Path database, Path staged) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(database, PosixFileAttributes.class);
        PosixFileAttributeView view = Files.getFileAttributeView(staged, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        view.setPermissions(attributes.permissions());
        if ("root".equals(System.getProperty("user.name"))) {
            view.setOwner(attributes.owner());
            view.setGroup(attributes.group());
        }
    }

    public void discard(Path staged) {
        try {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(Path.of(staged + "-journal"));
        } catch (IOException ignored) {
            // a hidden leftover is removed by the next rollback
        }
    }

    private static void removeLeftoversOfKilledRuns(Path database) {
        Path directory = database.toAbsolutePath().getParent();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Matcher matcher = STAGED.matcher(file.getFileName().toString());
                if (matcher.matches() && matcher.group(1).equals(database.getFileName().toString())
                        && ProcessHandle.of(Long.parseLong(matcher.group(2))).map(p -> !p.isAlive()).orElse(true)) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException ignored) {
            // tidying only
        }
    }

}
