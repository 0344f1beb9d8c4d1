package dev.crystaldb.migrate;

import dev.crystaldb.db.FileBytes;
import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The file this run was started from, and the migration set `bundle` may have appended to it: the
 * native executable (read through /proc/self/exe, which stays the started file even if it is
 * replaced meanwhile), or in JVM mode the launcher script, whose path it passes as the system
 * property crystal.db.launcher. Tests that run the command line inside their own JVM have neither.
 */
public final class RunningExecutable {
    /** Set by the JVM launcher (src/main/launcher/crystal-db.sh): its own real path. */
    public static final String LAUNCHER_PROPERTY = "crystal.db.launcher";
    /** Set by the JVM launcher: the real path of the quarkus-app directory it starts. */
    public static final String APPLICATION_PROPERTY = "crystal.db.app";
    private static final Path SELF = Path.of("/proc/self/exe");

    /** What the start-up check found; read once per run (null: not read yet). */
    private static volatile Optional<MigrationArchive.Trailer> trailer;
    private static volatile Optional<MigrationSet> appended;

    /** file: the path to open; name: the path to name in messages; launcher: a JVM launcher script rather than a native executable. */
    public record Executable(Path file, String name, boolean launcher) {
    }

    private RunningExecutable() {
    }

    /** The running executable; empty inside a test's JVM. */
    public static Optional<Executable> current() {
        String launcher = System.getProperty(LAUNCHER_PROPERTY);
        if (launcher != null && !launcher.isBlank()) {
            return Optional.of(new Executable(Path.of(launcher), launcher, true));
        }
        if ("runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            String name;
            try {
                name = Files.readSymbolicLink(SELF).toString();
            } catch (IOException | UnsupportedOperationException e) {
                name = SELF.toString();
            }
            return Optional.of(new Executable(SELF, name, false));
        }
        return Optional.empty();
    }

    /**
     * The start-up check: reads only the trailer (the last bytes of the file). Empty when nothing
     * is appended; a damaged trailer is exit 4, never taken for "nothing appended".
     */
    public static Optional<MigrationArchive.Trailer> trailer() {
        Optional<MigrationArchive.Trailer> found = trailer;
        if (found == null) {
            found = current().flatMap(RunningExecutable::readTrailer);
            trailer = found;
        }
        return found;
    }

    /** The set `bundle` appended to this executable, its SHA-256 checked; empty when none is. */
    static Optional<MigrationSet> appendedSet() {
        Optional<MigrationSet> found = appended;
        if (found == null) {
            found = trailer().map(t -> {
                Executable executable = current().orElseThrow();
                return MigrationArchive.decode(executable.name(), t, read(executable, t.archiveOffset(), (int) t.archiveLength()));
            });
            appended = found;
        }
        return found;
    }

    private static Optional<MigrationArchive.Trailer> readTrailer(Executable executable) {
        try (FileChannel channel = FileChannel.open(executable.file(), StandardOpenOption.READ)) {
            long size = channel.size();
            int tail = (int) Math.min(size, MigrationArchive.TRAILER_SIZE);
            return MigrationArchive.readTrailer(executable.name(), size, FileBytes.readFully(channel, size - tail, tail));
        } catch (IOException e) {
            throw unreadable(executable, e);
        }
    }

    private static byte[] read(Executable executable, long offset, int length) {
        try (FileChannel channel = FileChannel.open(executable.file(), StandardOpenOption.READ)) {
            return FileBytes.readFully(channel, offset, length);
        } catch (IOException e) {
            throw unreadable(executable, e);
        }
    }

    private static CrystalDbException unreadable(Executable executable, IOException e) {
        return CrystalDbException.failed("cannot read this executable " + executable.name() + " (" + e.getMessage()
                + "), which may carry the migration set: make it readable by the user running crystal-db", e);
    }
}
