package dev.crystaldb.it;

import dev.crystaldb.support.Safety;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hardened servers mount /tmp noexec, where the SQLite library cannot be loaded from. The
 * launchers load it from beside the application, so nothing is unpacked; the tests of the
 * unpacking path point sqlite-jdbc away from that copy, as a jar run without the launcher is.
 * The native executable has no such path (it carries the library inside and loads it from memory, see
 * NativeExecutableIT), so only the test that nothing is unpacked runs against it.
 */
class NativeTmpdirIT {
    @TempDir
    Path dir;

    /** What a run without the launcher's copy of the library does: sqlite-jdbc unpacks it from its jar. */
    private Map<String, String> unpackingFromTheJar(Map<String, String> env) {
        Assumptions.assumeFalse(CrystalDb.isNative(), "JVM only: the native executable never unpacks the library and takes no JVM options");
        Map<String, String> all = new java.util.HashMap<>(env);
        String opts = all.getOrDefault("CRYSTAL_DB_JAVA_OPTS", "");
        all.put("CRYSTAL_DB_JAVA_OPTS", (opts + " -Dorg.sqlite.lib.path=" + dir.resolve("no-library-here")).trim());
        return all;
    }

    private Path noexec;

    @BeforeEach
    void mountNoexecTmpfs() throws Exception {
        noexec = Files.createDirectories(dir.resolve("noexec-tmp"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "noexec,size=32m", "tmpfs", noexec.toString())
                .redirectErrorStream(true).start();
        Safety.assume(mount.waitFor() == 0, "cannot mount a noexec tmpfs here (needs root)");
    }

    @AfterEach
    void unmount() throws Exception {
        new ProcessBuilder("umount", noexec.toString()).start().waitFor();
    }

    @Test
    void aNoexecJavaTmpdirIsSkippedForAUsableDirectory() {
        Path db = dir.resolve("app.db");
        CrystalDb.Result result = CrystalDb.run(dir, unpackingFromTheJar(Map.of("CRYSTAL_DB_JAVA_OPTS", "-Djava.io.tmpdir=" + noexec)),
                "--db", db.toString(), "upgrade", "--create", "--yes");
        assertEquals(0, result.exitCode(), result::describe);
        assertTrue(Files.exists(db));
    }

    @Test
    void aConfiguredNoexecDirectoryIsRefusedNamingTheSetting() throws Exception {
        Path db = dir.resolve("app.db");
        CrystalDb.Result result = CrystalDb.run(dir, unpackingFromTheJar(Map.of("CRYSTAL_DB_TMPDIR", noexec.toString())),
                "--db", db.toString(), "upgrade", "--create", "--yes");
        assertEquals(2, result.exitCode(), result::describe);
        assertEquals(1, result.errorLines().size(), result::describe);
        assertTrue(result.errorLines().get(0).contains("CRYSTAL_DB_TMPDIR " + noexec + " is on a filesystem mounted noexec"), result::describe);
        assertTrue(!result.stderr().contains("Exception"), result::describe);
        assertTrue(!Files.exists(db), "nothing created");
    }

    @Test
    void theLaunchersCopyOfTheLibraryNeedsNoTemporaryDirectory() throws Exception {
        // the same setting that is refused above when the library has to be unpacked
        Path db = dir.resolve("app.db");
        CrystalDb.Result result = CrystalDb.run(dir, Map.of("CRYSTAL_DB_TMPDIR", noexec.toString()),
                "--db", db.toString(), "upgrade", "--create", "--yes");
        assertEquals(0, result.exitCode(), result::describe);
        assertTrue(Files.exists(db));
        try (var unpacked = Files.list(noexec)) {
            assertEquals(0, unpacked.count(), "nothing unpacked into " + noexec);
        }
    }

    @Test
    void aCopyOfTheLibraryForAnotherCpuFallsBackToAUsableDirectory() throws Exception {
        Assumptions.assumeFalse(CrystalDb.isNative(), "JVM only: the native executable takes no JVM options (CRYSTAL_DB_JAVA_OPTS)");
        // the launcher's copy as it would be on a machine of another architecture
        String other = "aarch64".equals(System.getProperty("os.arch")) ? "x86_64" : "aarch64";
        Path foreign = Files.createDirectories(dir.resolve("foreign-lib"));
        try (var library = getClass().getResourceAsStream("/org/sqlite/native/Linux/" + other + "/libsqlitejdbc.so")) {
            Assumptions.assumeTrue(library != null, "sqlite-jdbc has no library for " + other);
            Files.copy(library, foreign.resolve("libsqlitejdbc.so"));
        }
        Path db = dir.resolve("app.db");
        CrystalDb.Result result = CrystalDb.run(dir, Map.of("CRYSTAL_DB_JAVA_OPTS",
                        "-Dorg.sqlite.lib.path=" + foreign + " -Djava.io.tmpdir=" + noexec),
                "--db", db.toString(), "upgrade", "--create", "--yes", "--quiet");
        assertEquals(0, result.exitCode(), result::describe);
        assertEquals("", result.stderr(), "no stack trace from sqlite-jdbc's failed first try");
        assertEquals(5, CrystalDb.count(db, "flyway_schema_history"));
    }
}
