package dev.crystaldb.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the native executable has: it is one file that needs glibc and nothing else. It carries the
 * JDK's libraries, its libjvm.so and SQLite's library inside and loads them from memory files at start,
 * so a copy of that file alone runs anywhere and writes nothing to a file system; on a kernel without
 * memfd_create (src/test/c/without-memfd.c stands in for one) it copies them to unlinked temporary files
 * instead, or says clearly why it cannot. Skipped for the JVM launcher (./mvnw verify without -Dnative).
 */
class NativeExecutableIT {
    @TempDir
    Path dir;

    @BeforeEach
    void nativeOnly() {
        Assumptions.assumeTrue(CrystalDb.isNative(), "the JVM launcher is not one file (run ./mvnw verify -Dnative)");
    }

    @Test
    void itNeedsOnlyGlibc() throws Exception {
        Process ldd = new ProcessBuilder("ldd", CrystalDb.executable().toString()).redirectErrorStream(true).start();
        String output = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ldd.waitFor(), output);
        List<String> foreign = new ArrayList<>();
        for (String line : output.lines().map(String::trim).toList()) {
            String name = line.split("\\s+")[0];
            if (!(name.startsWith("linux-vdso") || name.contains("ld-linux") || name.matches("lib(c|m|dl|pthread|rt)\\.so\\.\\d+"))) {
                foreign.add(line);
            }
        }
        assertTrue(foreign.isEmpty(), "libraries not of glibc: " + foreign + "\n" + output);
    }

    @Test
    void copiedAloneAndSymlinkedItRunsAndWritesNoLibraryAnywhere() throws Exception {
        Path installed = installAlone(dir.resolve("opt/crystal-db"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("crystal-db"), installed);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path db = dir.resolve("app.db");
        Result run = run(List.of(bin.resolve("crystal-db").toString()), Map.of("TMPDIR", tmp.toString(), "CRYSTAL_DB_TMPDIR", tmp.toString()),
                "--db", db.toString(), "upgrade", "--create", "--yes");
        assertEquals(0, run.exit(), run.stderr());
        assertEquals(List.of("1", "2", "3", "4", "5"), CrystalDb.appliedVersions(db));
        assertEquals(List.of("crystal-db"), CrystalDb.fileNames(installed.getParent()), "nothing beside the executable");
        assertEquals(List.of(), CrystalDb.fileNames(tmp), "nothing unpacked");
    }

    @Test
    void withoutMemfdCreateItLoadsUnlinkedTemporaryCopiesAndLeavesNothing() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path db = dir.resolve("app.db");
        Result run = run(withoutMemfd(), Map.of("TMPDIR", tmp.toString()), "--db", db.toString(), "upgrade", "--create", "--yes");
        assertEquals(0, run.exit(), run.stderr());
        assertEquals(List.of("1", "2", "3", "4", "5"), CrystalDb.appliedVersions(db));
        assertEquals(List.of(), CrystalDb.fileNames(tmp), "the copies were unlinked");
    }

    @Test
    void withoutMemfdCreateAMissingTemporaryDirectoryIsOneClearErrorAndTouchesNothing() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path missing = dir.resolve("missing");
        Result run = run(withoutMemfd(), Map.of("CRYSTAL_DB_TMPDIR", missing.toString()),
                "--db", work.resolve("app.db").toString(), "upgrade", "--create", "--yes");
        assertEquals(1, run.exit(), run.stderr());
        assertEquals("", run.stdout());
        assertEquals(List.of("crystal-db: cannot load its built-in library libjvm.so: the kernel has no memory files (memfd_create:"
                + " Function not implemented; Linux 3.17 and later have them) and " + missing + " refuses a temporary copy"
                + " (No such file or directory): set CRYSTAL_DB_TMPDIR to a writable directory"), run.stderr().lines().toList());
        assertEquals(List.of(), CrystalDb.fileNames(work), "nothing created");
    }

    @Test
    void withoutMemfdCreateANoexecTemporaryDirectoryIsOneClearError() throws Exception {
        Path noexec = Files.createDirectories(dir.resolve("noexec-tmp"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "noexec,size=32m", "tmpfs", noexec.toString())
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a noexec tmpfs here (needs root)");
        try {
            Path work = Files.createDirectories(dir.resolve("work"));
            Result run = run(withoutMemfd(), Map.of("CRYSTAL_DB_TMPDIR", noexec.toString()),
                    "--db", work.resolve("app.db").toString(), "upgrade", "--create", "--yes");
            assertEquals(1, run.exit(), run.stderr());
            List<String> lines = run.stderr().lines().toList();
            assertEquals(1, lines.size(), run.stderr());
            assertTrue(lines.get(0).startsWith("crystal-db: cannot load its built-in library libjvm.so: the kernel has no memory files"
                    + " (Linux 3.17 and later have them) and the temporary copy in " + noexec + " does not load ("), run.stderr());
            assertTrue(lines.get(0).endsWith("): set CRYSTAL_DB_TMPDIR to a directory on a file system mounted without noexec"), run.stderr());
            assertEquals(List.of(), CrystalDb.fileNames(work), "nothing created");
            assertEquals(List.of(), CrystalDb.fileNames(noexec), "the copy was unlinked");
        } finally {
            new ProcessBuilder("umount", noexec.toString()).start().waitFor();
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    /** command (the executable, or a wrapper and the executable) with args, env added to this process's environment. */
    private Result run(List<String> command, Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(all).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(name -> name.startsWith("CRYSTAL_DB"));
        builder.environment().putAll(env);
        File stderr = dir.resolve("stderr.txt").toFile();
        Process process = builder.redirectError(stderr).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        return new Result(exit, stdout, Files.readString(stderr.toPath()));
    }

    /** The executable, run as on a kernel without memfd_create: src/test/c/without-memfd.c, compiled here. */
    private List<String> withoutMemfd() throws IOException, InterruptedException {
        Path wrapper = dir.resolve("without-memfd");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", wrapper.toString(), Path.of("src/test/c/without-memfd.c").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), "gcc (the native build needs it too): " + output);
        return List.of(wrapper.toString(), CrystalDb.executable().toString());
    }

    /** A copy of the executable alone in directory, as a user copies it to a server. */
    private Path installAlone(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path copy = directory.resolve("crystal-db");
        Files.copy(CrystalDb.executable(), copy, StandardCopyOption.COPY_ATTRIBUTES);
        return copy;
    }
}
