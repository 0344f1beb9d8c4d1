package dev.crystaldb.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the native executable has: it needs glibc and its lib/ directory and nothing else, finds
 * lib/ beside its real path (installed under /opt and symlinked into the PATH), and refuses clearly
 * when lib/ is incomplete. Skipped for the JVM launcher (./mvnw verify without -Dnative).
 */
class NativeExecutableIT {
    @TempDir
    Path dir;

    private Path lib;

    @BeforeEach
    void nativeOnly() {
        Assumptions.assumeTrue(CrystalDb.isNative(), "the JVM launcher has no lib/ (run ./mvnw verify -Dnative)");
        lib = CrystalDb.executable().resolveSibling("lib");
    }

    @Test
    void itNeedsOnlyGlibcAndItsOwnLibraries() throws Exception {
        Process ldd = new ProcessBuilder("ldd", CrystalDb.executable().toString()).redirectErrorStream(true).start();
        String output = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ldd.waitFor(), output);
        List<String> foreign = new ArrayList<>();
        for (String line : output.lines().map(String::trim).toList()) {
            String name = line.split("\\s+")[0];
            boolean glibc = name.startsWith("linux-vdso") || name.contains("ld-linux") || name.matches("lib(c|m|dl|pthread|rt)\\.so\\.\\d+");
            if (!glibc && !line.contains("=> " + lib.toRealPath() + "/")) {
                foreign.add(line);
            }
        }
        assertTrue(foreign.isEmpty(), "libraries from neither glibc nor lib/: " + foreign + "\n" + output);
    }

    @Test
    void installedElsewhereAndSymlinkedItFindsItsLibraries() throws Exception {
        Path installed = install(dir.resolve("opt/crystal-db"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("crystal-db"), installed.resolve("crystal-db"));
        Path db = dir.resolve("app.db");
        Process run = new ProcessBuilder(bin.resolve("crystal-db").toString(), "--db", db.toString(), "upgrade", "--create", "--yes")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run.waitFor(), output);
        assertEquals(List.of("1", "2", "3", "4", "5"), CrystalDb.appliedVersions(db));
    }

    @Test
    void aMissingSqliteLibraryIsOneClearErrorAndTouchesNothing() throws Exception {
        Path installed = install(dir.resolve("opt/crystal-db"));
        Files.delete(installed.resolve("lib/libsqlitejdbc.so"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Process run = new ProcessBuilder(installed.resolve("crystal-db").toString(), "--db", work.resolve("app.db").toString(),
                "upgrade", "--create", "--yes")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String stdout = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, run.waitFor(), stderr);
        assertEquals("", stdout);
        assertEquals(List.of("crystal-db: SQLite's library " + installed.toRealPath().resolve("lib/libsqlitejdbc.so")
                + " is missing: install crystal-db with the lib/ directory of its archive beside the executable"),
                stderr.lines().toList());
        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of(), files.toList(), "nothing created");
        }
    }

    /** A copy of the executable and its lib/ in directory, as the archive installs it. */
    private Path install(Path directory) throws IOException {
        Files.createDirectories(directory.resolve("lib"));
        Files.copy(CrystalDb.executable(), directory.resolve("crystal-db"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        try (Stream<Path> files = Files.list(lib)) {
            files.forEach(file -> {
                try {
                    Files.copy(file, directory.resolve("lib").resolve(file.getFileName()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return directory;
    }
}
