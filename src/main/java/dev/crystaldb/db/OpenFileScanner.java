package dev.crystaldb.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        List<Holder> holders = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (pid != self && holdsForWriting(process, target)) {
                    holders.add(new Holder(pid, command(process)));
                }
            }
        } catch (IOException | SecurityException e) {
            return holders; // no /proc: nothing to report
        }
        return holders;
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
