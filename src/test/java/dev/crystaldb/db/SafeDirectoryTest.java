package dev.crystaldb.db;

import dev.crystaldb.support.Safety;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every operation refuses a symlink someone put at the name, and never touches what it points at. */
class SafeDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void nothingIsCreatedOpenedChmodedOrDeletedThroughASymlink() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.createSymbolicLink(work.resolve("planted"), victim);
        try (SafeDirectory directory = SafeDirectory.open(work)) {
            assertThrows(FileAlreadyExistsException.class, () -> directory.createPrivateFile("planted"));
            assertThrows(IOException.class, () -> directory.openRegularFile("planted"));
            assertThrows(IOException.class, () -> directory.chmod("planted", PosixFilePermissions.fromString("rw-------")));
            assertThrows(IOException.class, () -> directory.link("planted", directory, "second-name"));
            assertTrue(directory.deleteIfExists("planted"), "the link itself goes");
        }
        assertEquals("precious", Files.readString(victim));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
    }

    @Test
    void aSymlinkToADirectoryIsNotOpenedAsOne() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("backups"), elsewhere);
        assertThrows(IOException.class, () -> SafeDirectory.open(link));
        assertThrows(IOException.class, () -> SafeDirectory.openOrCreate(link, FileOwner.of(dir)));
        try (SafeDirectory directory = SafeDirectory.open(dir)) {
            assertThrows(IOException.class, () -> directory.openDirectory("backups"));
        }
    }

    @Test
    void aPrivateDirectoryIsOnlyItsCreatorsAndHoldsWhatIsCreatedInIt() throws Exception {
        try (SafeDirectory directory = SafeDirectory.open(dir); SafeDirectory scratch = directory.createPrivateDirectory(".scratch")) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(".scratch"))));
            scratch.createPrivateFile("copy.db").close();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch.resolve("copy.db"))));
            scratch.link("copy.db", directory, "published.db");
            assertThrows(FileAlreadyExistsException.class, () -> scratch.link("copy.db", directory, "published.db"), "a link never replaces");
            directory.deleteTree(".scratch");
        }
        assertTrue(Files.notExists(dir.resolve(".scratch")));
        assertTrue(Files.isRegularFile(dir.resolve("published.db")));
    }

    /** A root run's scratch work (SQLite opens by path) goes where no other user can rename a directory on the way. */
    @Test
    void aRootRunsScratchParentIsTheNearestDirectoryOnlyRootCanChange() throws Exception {
        Safety.assume(FileOwner.runningAsRoot(), "needs root (CI runs as root)");
        Path real = dir.toRealPath();
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path open = Files.createDirectory(real.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx")); // anyone may rename what is in it
        Path below = Files.createDirectory(open.resolve("backups"));
        Path sticky = Files.createDirectory(real.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777); // as /tmp: only an entry's owner may rename it
        try (SafeDirectory directory = SafeDirectory.open(below); SafeDirectory parent = directory.scratchParent()) {
            assertEquals(real, parent.path(), "the scratch work would go where another user can redirect it");
        }
        try (SafeDirectory directory = SafeDirectory.open(sticky); SafeDirectory parent = directory.scratchParent()) {
            assertEquals(sticky, parent.path());
        }
        try (SafeDirectory directory = SafeDirectory.open(real); SafeDirectory parent = directory.scratchParent()) {
            assertEquals(real, parent.path());
        }
    }
}
