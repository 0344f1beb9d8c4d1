package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses where sqlite-jdbc unpacks its native SQLite library before loading it. Hardened servers
 * mount /tmp noexec, where loading fails; so the directory must be writable and on a filesystem
 * mounted without noexec: the configured one (--native-tmpdir, CRYSTAL_DB_TMPDIR), else the
 * first usable of java.io.tmpdir, $XDG_RUNTIME_DIR, /var/tmp and ~/.cache/crystal-db.
 */
public final class NativeLibraryDirectory {
    /** sqlite-jdbc reads this system property for the directory it extracts into. */
    private static final String SQLITE_TMPDIR = "org.sqlite.tmpdir";
    /** Set by the JVM launcher: the library is already unpacked there and nothing is extracted. */
    private static final String SQLITE_LIB_PATH = "org.sqlite.lib.path";
    private static final String SQLITE_LIB_NAME = "org.sqlite.lib.name";

    private NativeLibraryDirectory() {
    }

    /**
     * Sets the directory for this process; with a configured directory that is not usable, exit 2 naming the setting.
     * When the library is installed beside the application (by the JVM launcher) nothing
     * is refused: the directory is only a fallback, for a copy that does not load here (another
     * CPU, a musl system), and the first usable one is set quietly.
     */
    public static void prepare(String configured) {
        List<String> mounts = readMounts();
        boolean fallbackOnly = preinstalledLibrary(mounts);
        if (configured != null && !configured.isBlank()) {
            Path directory = Path.of(configured).toAbsolutePath();
            Optional<String> problem = problemWith(directory, mounts);
            if (problem.isEmpty()) {
                use(directory);
                return;
            }
            if (!fallbackOnly) {
                throw CrystalDbException.usage("--native-tmpdir / CRYSTAL_DB_TMPDIR " + directory + " " + problem.get()
                        + ": give a writable directory on a filesystem mounted without noexec");
            }
        }
        List<String> rejected = new ArrayList<>();
        for (Path candidate : candidates()) {
            Optional<String> problem = problemWith(candidate, mounts);
            if (problem.isEmpty()) {
                use(candidate);
                return;
            }
            rejected.add(candidate + " " + problem.get());
        }
        if (!fallbackOnly) {
            throw CrystalDbException.usage("no directory to unpack the SQLite library into (" + String.join("; ", rejected)
                    + "): set CRYSTAL_DB_TMPDIR or --native-tmpdir to a writable directory on a filesystem mounted without noexec");
        }
    }

    private static void use(Path directory) {
        System.setProperty(SQLITE_TMPDIR, directory.toString());
    }

    /** When it cannot be loaded from there (a noexec mount), sqlite-jdbc falls back to unpacking: choose the directory then. */
    private static boolean preinstalledLibrary(List<String> mounts) {
        String path = System.getProperty(SQLITE_LIB_PATH);
        String name = System.getProperty(SQLITE_LIB_NAME);
        return path != null && name != null && Files.isRegularFile(Path.of(path, name)) && !mountedNoexec(Path.of(path), mounts);
    }

    private static List<Path> candidates() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(System.getProperty("java.io.tmpdir", "/tmp")));
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            candidates.add(Path.of(runtime));
        }
        candidates.add(Path.of("/var/tmp"));
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && !home.equals("?")) {
            candidates.add(Path.of(home, ".cache", "crystal-db"));
        }
        return candidates;
    }

    /** Why a directory cannot take the library, or empty when it can (creating it if needed). */
    private static Optional<String> problemWith(Path directory, List<String> mounts) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            return Optional.of("cannot be created");
        }
        if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
            return Optional.of("is not a writable directory");
        }
        if (mountedNoexec(directory, mounts)) {
            return Optional.of("is on a filesystem mounted noexec");
        }
        return Optional.empty();
    }

    /** The lines of /proc/self/mounts, read once per run; none without /proc (a plain system is assumed). */
    private static List<String> readMounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The longest mount point that contains the directory decides. */
    private static boolean mountedNoexec(Path directory, List<String> mounts) {
        Path real;
        try {
            real = directory.toRealPath();
        } catch (IOException e) {
            return false;
        }
        String best = null;
        boolean noexec = false;
        for (String line : mounts) {
            String[] fields = line.split(" ");
            if (fields.length < 4) {
                continue;
            }
            String mountPoint = fields[1].replace("\\040", " ");
            if (real.startsWith(mountPoint) && (best == null || mountPoint.length() >= best.length())) {
                best = mountPoint;
                noexec = List.of(fields[3].split(",")).contains("noexec");
            }
        }
        return noexec;
    }
}
