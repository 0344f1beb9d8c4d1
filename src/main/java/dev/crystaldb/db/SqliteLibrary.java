package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where sqlite-jdbc loads SQLite's JNI library from, decided before anything opens a database.
 * The native executable carries the library inside itself: its C start-up code (native/c/chelper/embedded.c)
 * writes it to a memory file that stays open, named {@value #MEMORY_FILE}, and sqlite-jdbc loads it as
 * /proc/self/fd/N. Nothing is unpacked to a file system (a noexec /tmp cannot break it). On the JVM the
 * launcher names the copy beside the application, and {@link NativeLibraryDirectory} chooses where
 * sqlite-jdbc unpacks one from its jar when that copy is missing or does not load.
 */
public final class SqliteLibrary {
    static final String LIBRARY_FILE = "libsqlitejdbc.so";
    /** The memory file's name (/memfd:NAME (deleted) in /proc/self/fd), or the start of the temporary file's name without memfd_create. */
    static final String MEMORY_FILE = "crystal-db:" + LIBRARY_FILE;

    private SqliteLibrary() {
    }

    /** configuredTmpdir: --native-tmpdir / CRYSTAL_DB_TMPDIR, which only the JVM uses. */
    public static void prepare(String configuredTmpdir) {
        if (!inNativeExecutable()) {
            NativeLibraryDirectory.prepare(configuredTmpdir);
            return;
        }
        Path library = embeddedCopy();
        System.setProperty("org.sqlite.lib.path", library.getParent().toString());
        System.setProperty("org.sqlite.lib.name", library.getFileName().toString());
        // sqlite-jdbc lists its temporary directory for stale copies of earlier runs before loading; there are none
        // here, and /proc/self/fd is small where /tmp may not be
        System.setProperty("org.sqlite.tmpdir", library.getParent().toString());
    }

    /** GraalVM sets this property in every native image at run time. */
    public static boolean inNativeExecutable() {
        return "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"));
    }

    /** /proc/self/fd/N of the memory file the executable's start-up code left open with SQLite's library in it. */
    private static Path embeddedCopy() {
        Path descriptors = Path.of("/proc/self/fd");
        try (DirectoryStream<Path> open = Files.newDirectoryStream(descriptors)) {
            for (Path descriptor : open) {
                Path file;
                try {
                    file = Files.readSymbolicLink(descriptor).getFileName();
                } catch (IOException e) {
                    continue; // the directory stream's own descriptor, closed by now
                }
                // /memfd:NAME (deleted), or TMPDIR/NAME.XXXXXX (deleted) where the kernel has no memfd_create
                if (file != null && (file.toString().startsWith("memfd:" + MEMORY_FILE) || file.toString().startsWith(MEMORY_FILE))) {
                    return descriptor;
                }
            }
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot list /proc/self/fd (" + e.getMessage()
                    + "): SQLite's library is loaded from there; mount /proc", e);
        }
        throw CrystalDbException.failed("SQLite's library is not among the open files of this process (" + MEMORY_FILE
                + " in /proc/self/fd): this crystal-db executable was not built to carry it; rebuild it with ./mvnw package -Dnative", null);
    }
}
