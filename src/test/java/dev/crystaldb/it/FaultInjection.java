package dev.crystaldb.it;

import dev.crystaldb.support.Safety;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Faults the real executable cannot meet on a healthy disk: the LD_PRELOAD library of
 * src/test/c/faultinject.c, built here with gcc on first use, makes writes (or fsyncs) to the
 * files whose path contains a marker fail with ENOSPC or EIO. It works for the JVM launcher and
 * the native executable alike (both load glibc dynamically). Without gcc the tests that need it
 * are skipped with that reason (under CI=true they fail).
 */
final class FaultInjection {
    private static Path library;

    private FaultInjection() {
    }

    /** Environment for a run whose writes to files matching pathPart fail with errno (ENOSPC, EIO) after afterBytes. */
    static Map<String, String> failingWrites(String pathPart, String errno, long afterBytes) {
        Map<String, String> env = new HashMap<>();
        env.put("LD_PRELOAD", library().toString());
        env.put("CRYSTAL_FAULT_PATH", pathPart);
        env.put("CRYSTAL_FAULT_ERRNO", errno);
        env.put("CRYSTAL_FAULT_AFTER", Long.toString(afterBytes));
        return env;
    }

    /** Environment for a run whose fsyncs of files matching pathPart fail with EIO. */
    static Map<String, String> failingFsync(String pathPart) {
        Map<String, String> env = failingWrites(pathPart, "EIO", 0);
        env.put("CRYSTAL_FAULT_FSYNC", "1");
        return env;
    }

    private static synchronized Path library() {
        if (library != null) {
            return library;
        }
        Path source = Path.of("src", "test", "c", "faultinject.c").toAbsolutePath();
        Path built = Path.of("target", "test-tools", "libfaultinject.so").toAbsolutePath();
        try {
            Files.createDirectories(built.getParent());
            Process gcc = new ProcessBuilder("gcc", "-O2", "-shared", "-fPIC", "-o", built.toString(), source.toString(), "-ldl")
                    .redirectErrorStream(true).start();
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Safety.assume(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "cannot build the fault injector: " + output);
        } catch (IOException e) {
            Safety.abort("gcc is not available to build the fault injector: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        library = built;
        return library;
    }
}
