package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The one lock that keeps two crystal-db runs from changing a database at once: an OS lock on a
 * file beside the database (not in /tmp, which systemd may make private per service). The OS
 * drops it when the process dies, so a killed run never blocks the next one. The file is never
 * written, truncated or deleted (deleting it would let two runs lock two different files); who
 * holds it is read from /proc/locks. It is opened without following a symlink and, made by a root
 * run, belongs to the database's owner.
 */
public final class DatabaseLock implements AutoCloseable {
    private static final long POLL_MILLIS = 50;

    private final FileChannel channel;
    private final FileLock lock;

    private DatabaseLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static Path lockFileFor(Path database) {
        return database.resolveSibling(database.getFileName() + ".crystal-db.lock");
    }

    /**
     * Waits up to timeout for the lock; exit 3 when another run still holds it. onFirstWait hears,
     * once, who holds it ("pid 123 (crystal-db)", or "" when /proc does not say).
     */
    public static DatabaseLock acquire(Path database, Duration timeout, Consumer<String> onFirstWait) {
        Path lockFile = lockFileFor(database);
        FileChannel channel = open(database, lockFile);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean waited = false;
        try {
            while (true) {
                FileLock lock = tryLock(channel, lockFile);
                if (lock != null) {
                    return new DatabaseLock(channel, lock);
                }
                if (System.nanoTime() >= deadline) {
                    throw new CrystalDbException(ExitCode.BUSY, "another crystal-db run" + holder(lockFile).map(h -> " (" + h + ")").orElse("")
                            + " is changing " + database + "; gave up after --lock-timeout " + timeout.toSeconds() + "s, try again when it has finished");
                }
                if (!waited && onFirstWait != null) {
                    onFirstWait.accept(holder(lockFile).orElse(""));
                }
                waited = true;
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            throw CrystalDbException.failed("interrupted while waiting for the lock on " + database, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The existing lock file, or a new one with the database's read/write bits for owner and group, given to its owner. */
    private static FileChannel open(Path database, Path lockFile) {
        String name = lockFile.getFileName().toString();
        try (SafeDirectory directory = SafeDirectory.open(database.getParent())) {
            for (int attempt = 0; ; attempt++) {
                Optional<PosixFileAttributes> existing = directory.attributes(name);
                if (existing.isPresent()) {
                    requireUsable(database, lockFile, existing.get());
                    return directory.openRegularFile(name, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                try {
                    FileChannel created = directory.createPrivateFile(name);
                    try {
                        directory.chmod(name, lockFileMode(database));
                        directory.giveTo(name, ownerOf(database));
                    } catch (IOException | RuntimeException e) {
                        created.close();
                        throw e;
                    }
                    return created;
                } catch (FileAlreadyExistsException e) {
                    if (attempt > 3) {
                        throw e;
                    }
                    // another run created it a moment ago: open theirs
                }
            }
        } catch (AccessDeniedException e) {
            throw CrystalDbException.usage("cannot open lock file " + lockFile + ": permission denied; run as the database owner");
        } catch (CrystalDbException e) {
            throw e;
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot open lock file " + lockFile + ": " + e.getMessage(), e);
        }
    }

    private static void requireUsable(Path database, Path lockFile, PosixFileAttributes attributes) throws IOException {
        if (!attributes.isRegularFile()) {
            throw CrystalDbException.usage("lock file " + lockFile + " is not a regular file (" + kind(attributes)
                    + "); crystal-db never follows or opens such a thing: remove it and run again");
        }
        FileOwner owner = ownerOf(database);
        int uid = FileOwner.uidOf(lockFile);
        if (!owner.trusts(uid)) {
            throw CrystalDbException.usage("lock file " + lockFile + " belongs to uid " + uid
                    + ", neither the database's owner nor root; remove it and run again");
        }
    }

    private static String kind(PosixFileAttributes attributes) {
        return attributes.isSymbolicLink() ? "a symlink" : attributes.isDirectory() ? "a directory" : "a FIFO, socket or device";
    }

    /** The database's owner; for a database not created yet, its directory's. */
    private static FileOwner ownerOf(Path database) throws IOException {
        try {
            return FileOwner.of(database);
        } catch (NoSuchFileException e) {
            return FileOwner.of(database.getParent());
        }
    }

    private static Set<PosixFilePermission> lockFileMode(Path database) throws IOException {
        Set<PosixFilePermission> mode = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        Set<PosixFilePermission> databaseMode;
        try {
            databaseMode = Files.getPosixFilePermissions(database, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return mode;
        }
        // a group that may change the database may take its lock
        if (databaseMode.contains(PosixFilePermission.GROUP_WRITE)) {
            mode.add(PosixFilePermission.GROUP_READ);
            mode.add(PosixFilePermission.GROUP_WRITE);
        }
        return mode;
    }

    private static FileLock tryLock(FileChannel channel, Path lockFile) {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this very process
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> holder(Path lockFile) {
        List<ProcLocks.Holder> holders = ProcLocks.holders(lockFile);
        return holders.isEmpty() ? Optional.empty() : Optional.of(holders.get(0).toString());
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
