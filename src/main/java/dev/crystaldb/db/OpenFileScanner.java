package dev.crystaldb.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Finds other processes that have a file open for writing, from /proc (Linux). As root it sees
 * every process; otherwise only the user's own, which is where an app run by the same user is.
 */
public final class OpenFileScanner {
    private OpenFileScanner() {
    }

    /** A process holding the file open for writing. */
    public record Holder(long pid, String command) {
        @Override
        public String toString() {
            return "pid " + pid + " (" + command + ")";
        }
    }

    public static List<Holder> writersOf(Path file) {
        Path target;
        try {
            target = file.toRealPath();
        } catch (IOException e) {
            return List.of();
        }
        return processes(process -> holdsForWriting(process, target));
    }

    /**
     * Other processes with the file whose key (inode) is given open, read or write: also after that
     * file lost its name, as the database replaced by a restore does.
     */
    public static List<Holder> holdersOf(Object fileKey) {
        return processes(process -> holds(process, fileKey));
    }

    /** Every other process (its /proc directory) that matches; none without /proc. */
    private static List<Holder> processes(Predicate<Path> matches) {
        List<Holder> holders = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (pid != self && matches.test(process)) {
                    holders.add(new Holder(pid, command(process)));
                }
            }
        } catch (IOException | SecurityException e) {
            return holders; // no /proc: nothing to report
        }
        return holders;
    }

    private static boolean holds(Path process, Object fileKey) {
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path descriptor : descriptors) {
                try {
                    // the descriptor's link leads to the open file itself, named or not
                    if (fileKey.equals(Files.readAttributes(descriptor, BasicFileAttributes.class).fileKey())) {
                        return true;
                    }
                } catch (IOException ignored) {
                    // closed while we looked
                }
            }
        } catch (IOException | SecurityException ignored) {
            // another user's process, or gone
        }
        return false;
    }

    private static boolean holdsForWriting(Path process, Path target) {
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path descriptor : descriptors) {
                try {
                    if (Files.readSymbolicLink(descriptor).equals(target) && openForWriting(process, descriptor.getFileName().toString())) {
                        return true;
                    }
                } catch (IOException ignored) {
                    // the descriptor closed while we looked
                }
            }
        } catch (IOException | SecurityException ignored) {
            // another user's process, or gone
        }
        return false;
    }

    private static boolean openForWriting(Path process, String fd) throws IOException {
        for (String line : Files.readAllLines(process.resolve("fdinfo").resolve(fd), StandardCharsets.US_ASCII)) {
            if (line.startsWith("flags:")) {
                int flags = Integer.parseInt(line.substring("flags:".length()).trim(), 8);
                return (flags & 3) != 0; // O_WRONLY or O_RDWR
            }
        }
        return false;
    }

    private static String command(Path process) {
        try {
            return Files.readString(process.resolve("comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
