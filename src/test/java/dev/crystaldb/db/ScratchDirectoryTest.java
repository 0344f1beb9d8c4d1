package dev.crystaldb.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one scratch directory: private, named for the next run's tidying, gone with all it holds once closed. */
class ScratchDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void itIsPrivateAndClosingItRemovesEverythingInItButNeverFollowsALink() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path made;
        try (SafeDirectory home = SafeDirectory.open(dir); ScratchDirectory scratch = ScratchDirectory.createFor(home)) {
            made = scratch.path();
            assertEquals(dir, made.getParent(), "beside the files it works for (a directory only its owner can change)");
            assertTrue(made.getFileName().toString().matches("\\.crystal-db-" + ProcessHandle.current().pid() + "-\\d+\\.tmp"), made.toString());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
            Files.writeString(scratch.resolve("copy.db"), "data");
            Files.createDirectories(made.resolve("stage/deeper"));
            Files.writeString(made.resolve("stage/deeper/V1__one.sql"), "SELECT 1;");
            Files.createSymbolicLink(made.resolve("stage/link"), victim);
            Files.createSymbolicLink(made.resolve("dir-link"), dir);
        }
        assertFalse(Files.exists(made, java.nio.file.LinkOption.NOFOLLOW_LINKS), "removed with its subdirectories");
        assertEquals("precious", Files.readString(victim));
        assertEquals(List.of("victim"), names(dir));
    }

    @Test
    void theNextRunRemovesWhatAKilledRunLeftAndKeepsWhatALiveRunIsUsing() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path killed = Files.createDirectories(dir.resolve(".crystal-db-" + gone.pid() + "-1.tmp"));
        Files.writeString(killed.resolve("half.db"), "half a copy");
        Path killedFile = Files.writeString(dir.resolve(".crystal-db-" + gone.pid() + "-2.tmp"), "a bundle half written");
        Path live = Files.createDirectories(dir.resolve(".crystal-db-" + ProcessHandle.current().pid() + "-3.tmp"));
        Path unrelated = Files.createDirectories(dir.resolve(".crystal-db-notes"));
        try (SafeDirectory home = SafeDirectory.open(dir); ScratchDirectory scratch = ScratchDirectory.createFor(home)) {
            assertTrue(Files.isDirectory(scratch.path()));
        }
        assertFalse(Files.exists(killed));
        assertFalse(Files.exists(killedFile));
        assertTrue(Files.isDirectory(live), "a live run's scratch stays");
        assertTrue(Files.isDirectory(unrelated), "only crystal-db's scratch names are tidied");
    }

    private static List<String> names(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
