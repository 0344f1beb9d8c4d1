package dev.crystaldb.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;

/**
 * The owner of a file, and who runs crystal-db. A root run (systemd without User=, sudo) gives
 * everything it creates to the database's owner, so the app and its own later runs can use it.
 */
public record FileOwner(int uid, UserPrincipal user, GroupPrincipal group) {
    /** Root's uid: its files are trusted like the database owner's own. */
    public static final int ROOT = 0;

    /** The owner of file itself (a symlink is not followed). */
    public static FileOwner of(Path file) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new FileOwner(uidOf(file), attributes.owner(), attributes.group());
    }

    /** The numeric owner of file itself (a symlink is not followed). */
    public static int uidOf(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** The effective uid of this process: /proc/self belongs to it. */
    public static int currentUid() {
        return CurrentUser.UID;
    }

    /** This process's user as a file owner principal (for comparing with a file's owner). */
    public static UserPrincipal currentUser() throws IOException {
        return Files.readAttributes(Path.of("/proc/self"), PosixFileAttributes.class).owner();
    }

    public static boolean runningAsRoot() {
        return currentUid() == ROOT;
    }

    /** A file crystal-db may trust: its own user's, root's, or this owner's. */
    public boolean trusts(int fileUid) {
        return fileUid == uid || fileUid == ROOT || fileUid == currentUid();
    }

    private static final class CurrentUser {
        static final int UID = read();

        private static int read() {
            try {
                return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // the link's target, /proc/<pid>
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return "root".equals(System.getProperty("user.name")) ? ROOT : -1;
            }
        }
    }
}
