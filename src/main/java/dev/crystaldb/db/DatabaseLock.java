package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The one lock that keeps two crystal-db runs from changing a database at once: an OS lock on a
 * file beside the database (not in /tmp, which systemd may make private per service). The OS
 * drops it when the process dies, so a killed run never blocks the next one. The file itself is
 * never deleted: deleting it would let two runs lock two different files.
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

    /** Waits up to timeout for the lock; exit 3 when another run still holds it. */
    public static DatabaseLock acquire(Path database, Duration timeout, Runnable onFirstWait) {
        Path lockFile = lockFileFor(database);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw CrystalDbException.usage("cannot create lock file " + lockFile + ": permission denied; run as the database owner");
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot create lock file " + lockFile + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean waited = false;
        try {
            while (true) {
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    recordOwner(channel);
                    return new DatabaseLock(channel, lock);
                }
                if (System.nanoTime() >= deadline) {
                    throw new CrystalDbException(ExitCode.BUSY, "another crystal-db run" + ownerOf(lockFile) + " is changing "
                            + database + "; gave up after --lock-timeout " + timeout.toSeconds() + "s, try again when it has finished");
                }
                if (!waited && onFirstWait != null) {
                    onFirstWait.run();
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

    private static FileLock tryLock(FileChannel channel) {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this very process
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot lock " + e.getMessage(), e);
        }
    }

    private static void recordOwner(FileChannel channel) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException ignored) {
            // the pid is only a courtesy for the message of a waiting run
        }
    }

    private static String ownerOf(Path lockFile) {
        try {
            String pid = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
            return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
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
