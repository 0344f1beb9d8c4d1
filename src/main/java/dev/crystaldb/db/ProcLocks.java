package dev.crystaldb.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who holds a POSIX lock on a file, from /proc/locks (Linux): the holder of crystal-db's own lock,
 * and of SQLite's write lock, which SQLite takes as byte-range locks (on the database file in
 * rollback-journal mode, on the -shm file in WAL mode). Used only to name the process a run waits
 * for; nothing is decided on it.
 */
public final class ProcLocks {
    /** SQLite's lock bytes in the database file: PENDING, RESERVED, then the SHARED range (os_unix.c). */
    private static final long PENDING_BYTE = 0x40000000L;
    private static final long SHARED_LAST = PENDING_BYTE + 2 + 510 - 1;
    /** SQLite's WAL write lock: the first lock byte of the -shm file. */
    private static final long WAL_WRITE_LOCK = 120;

    private ProcLocks() {
    }

    /** A process holding a lock. */
    public record Holder(long pid, String command) {
        @Override
        public String toString() {
            return "pid " + pid + " (" + command + ")";
        }
    }

    /** Whether /proc/locks can be read here: without it, no holder is ever known. */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/locks"));
    }

    /** Every process holding any lock on file (this one included: the caller holds none while it asks). */
    public static List<Holder> holders(Path file) {
        return holders(file, 0, Long.MAX_VALUE, false);
    }

    /** Processes holding SQLite's write lock (or an exclusive lock) on database, in either journal mode. */
    public static List<Holder> sqliteWriters(Path database) {
        Set<Holder> writers = new LinkedHashSet<>(holders(database, PENDING_BYTE, SHARED_LAST, true));
        writers.addAll(holders(Path.of(database + "-shm"), WAL_WRITE_LOCK, WAL_WRITE_LOCK, true));
        return List.copyOf(writers);
    }

    private static List<Holder> holders(Path file, long from, long to, boolean writeOnly) {
        String device;
        long inode;
        try {
            long dev = (Long) Files.getAttribute(file, "unix:dev");
            inode = (Long) Files.getAttribute(file, "unix:ino");
            // /proc/locks names a file as major:minor:inode, in hex, hex and decimal
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            device = String.format(Locale.ROOT, "%02x:%02x:", major, minor);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return List.of();
        }
        List<Holder> holders = new ArrayList<>();
        for (String line : lines) {
            // "1: POSIX  ADVISORY  WRITE 1234 fd:00:2146321 1073741825 1073741825"; waiters have "->"
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 8 || line.contains("->") || !fields[1].equals("POSIX")) {
                continue;
            }
            if (!fields[5].equals(device + inode) || (writeOnly && !fields[3].equals("WRITE"))) {
                continue;
            }
            long start = Long.parseLong(fields[6]);
            long end = fields[7].equals("EOF") ? Long.MAX_VALUE : Long.parseLong(fields[7]);
            long pid = Long.parseLong(fields[4]);
            if (start <= to && end >= from) {
                Holder holder = new Holder(pid, command(pid));
                if (!holders.contains(holder)) {
                    holders.add(holder);
                }
            }
        }
        return holders;
    }

    static String command(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
