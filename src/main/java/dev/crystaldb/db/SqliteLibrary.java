package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where sqlite-jdbc loads SQLite's JNI library from, decided before anything opens a database.
 * The native executable loads lib/libsqlitejdbc.so beside itself, installed with it: nothing is
 * unpacked at run time (a noexec /tmp cannot break it, and no run pays for the copy). On the JVM
 * the launcher names the copy beside the application, and {@link NativeLibraryDirectory} chooses
 * where sqlite-jdbc unpacks one from its jar when that copy is missing or does not load.
 */
public final class SqliteLibrary {
    static final String LIBRARY_FILE = "libsqlitejdbc.so";

    private SqliteLibrary() {
    }

    /** configuredTmpdir: --native-tmpdir / CRYSTAL_DB_TMPDIR, which only the JVM uses. */
    public static void prepare(String configuredTmpdir) {
        if (!inNativeExecutable()) {
            NativeLibraryDirectory.prepare(configuredTmpdir);
            return;
        }
        Path library = besideExecutable();
        if (!Files.isRegularFile(library)) {
            throw CrystalDbException.failed("SQLite's library " + library + " is missing: install crystal-db with the lib/ directory"
                    + " of its archive beside the executable", null);
        }
        System.setProperty("org.sqlite.lib.path", library.getParent().toString());
        System.setProperty("org.sqlite.lib.name", LIBRARY_FILE);
        // sqlite-jdbc lists its temporary directory for stale copies of earlier runs before loading; there are none
        // here, and lib/ is small where /tmp may not be
        System.setProperty("org.sqlite.tmpdir", library.getParent().toString());
    }

    /** GraalVM sets this property in every native image at run time. */
    public static boolean inNativeExecutable() {
        return "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"));
    }

    /** lib/libsqlitejdbc.so in the directory of the executable itself, symlinks resolved (/usr/local/bin/crystal-db -> /opt/...). */
    private static Path besideExecutable() {
        try {
            return Path.of("/proc/self/exe").toRealPath().resolveSibling("lib").resolve(LIBRARY_FILE);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot find the crystal-db executable through /proc/self/exe (" + e.getMessage()
                    + "): SQLite's library is found beside it; mount /proc", e);
        }
    }
}
