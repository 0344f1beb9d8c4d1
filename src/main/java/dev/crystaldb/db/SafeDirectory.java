package dev.crystaldb.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A directory crystal-db works in, held open. Every file it creates, opens, renames, chmods, chowns
 * or deletes there is named relative to this handle and never through a symlink: a root run in a
 * directory the app's user can write (the database's directory, backups/) cannot be made to
 * follow a link the user planted out of it. Only SQLite and hard links take a path
 * ({@link #resolve}), the directory's real path.
 */
public final class SafeDirectory implements AutoCloseable {
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private final Path path;
    private final SecureDirectoryStream<Path> handle;

    private SafeDirectory(Path path, SecureDirectoryStream<Path> handle) {
        this.path = path;
        this.handle = handle;
    }

    /** Opens a directory that must exist and be a directory itself, not a symlink to one. */
    public static SafeDirectory open(Path directory) throws IOException {
        Object expected = Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(directory + " is not a directory (a symlink or another kind of file)");
        }
        DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
        if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
            stream.close();
            throw new IOException("this system cannot hold a directory open safely (no openat): crystal-db needs Linux");
        }
        SafeDirectory opened = new SafeDirectory(directory, secure);
        if (!expected.equals(opened.ownKey())) {
            opened.close();
            throw new IOException(directory + " was replaced while it was opened");
        }
        return opened;
    }

    /**
     * Opens a directory, creating it first when it is missing; a root run gives a new directory to
     * owner. An existing one is used as it is (it must not be a symlink).
     */
    public static SafeDirectory openOrCreate(Path directory, FileOwner owner) throws IOException {
        boolean created = false;
        try {
            Files.createDirectory(directory); // mkdir never follows a symlink at the name
            created = true;
        } catch (FileAlreadyExistsException e) {
            // used as it is, once open() has checked it is a directory
        }
        SafeDirectory opened = open(directory);
        if (created && FileOwner.runningAsRoot()) {
            try {
                opened.ownView(PosixFileAttributeView.class).setOwner(owner.user());
                opened.ownView(PosixFileAttributeView.class).setGroup(owner.group());
            } catch (IOException e) {
                opened.close();
                throw e;
            }
        }
        return opened;
    }

    /** The directory's path, as opened. */
    public Path path() {
        return path;
    }

    /** The path of an entry, for SQLite and hard links; everything else goes through the handle. */
    public Path resolve(String name) {
        return path.resolve(name);
    }

    /** An entry's own attributes (a symlink is reported as one); empty when there is none. */
    public Optional<PosixFileAttributes> attributes(String name) throws IOException {
        try {
            return Optional.of(handle.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public boolean isRegularFile(String name) throws IOException {
        return attributes(name).map(PosixFileAttributes::isRegularFile).orElse(false);
    }

    /** A new file, 0600 from the start: fails when anything, a symlink included, has the name. */
    public FileChannel createPrivateFile(String name) throws IOException {
        return (FileChannel) handle.newByteChannel(Path.of(name),
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
    }

    /**
     * An existing regular file (never a symlink, a FIFO or a device, which could block or lead
     * elsewhere), opened with options; an empty set of options reads.
     */
    public FileChannel openRegularFile(String name, OpenOption... options) throws IOException {
        PosixFileAttributes attributes = attributes(name).orElseThrow(() -> new NoSuchFileException(resolve(name).toString()));
        if (!attributes.isRegularFile()) {
            throw new IOException(resolve(name) + " is not a regular file");
        }
        Set<OpenOption> opening = new HashSet<>(List.of(options));
        if (opening.isEmpty()) {
            opening.add(StandardOpenOption.READ);
        }
        opening.add(LinkOption.NOFOLLOW_LINKS);
        FileChannel channel = (FileChannel) handle.newByteChannel(Path.of(name), opening);
        if (!attributes.fileKey().equals(attributes(name).map(PosixFileAttributes::fileKey).orElse(null))) {
            channel.close();
            throw new IOException(resolve(name) + " was replaced while it was opened");
        }
        return channel;
    }

    /** Removes an entry (a symlink itself, never its target); nothing when there is none. */
    public boolean deleteIfExists(String name) throws IOException {
        try {
            handle.deleteFile(Path.of(name));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Changes an entry's mode; refuses a symlink rather than changing what it points at. */
    public void chmod(String name, Set<PosixFilePermission> permissions) throws IOException {
        handle.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(permissions);
    }

    /** Gives an entry to owner when this is a root run (otherwise it already belongs to the caller). */
    public void giveTo(String name, FileOwner owner) throws IOException {
        if (!FileOwner.runningAsRoot()) {
            return;
        }
        PosixFileAttributeView view = handle.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        view.setOwner(owner.user());
        view.setGroup(owner.group());
    }

    /** Renames an entry into target (this directory or another on the same filesystem), replacing what is there. */
    public void rename(String name, SafeDirectory target, String newName) throws IOException {
        handle.move(Path.of(name), target.handle, Path.of(newName));
    }

    /**
     * A second name for a regular file of this directory, in target; never replaces an existing
     * entry (FileAlreadyExistsException), and a link never follows a symlink.
     */
    public void link(String name, SafeDirectory target, String newName) throws IOException {
        if (!isRegularFile(name)) {
            throw new IOException(resolve(name) + " is not a regular file");
        }
        Files.createLink(target.resolve(newName), resolve(name));
    }

    /**
     * Where to make a private scratch directory for files SQLite opens by their path (the backup
     * API's copy and its journal, the check of a copy, a rehearsal): SQLite re-walks that path at
     * every open, so in a root run a user who can rename this directory, or one above it, could
     * swap in a symlink mid-copy and have root's SQLite create or overwrite files of their choosing.
     * For such a run: the deepest directory above this one that only root can change, on the same
     * file system (so the finished file can still be linked or renamed into place). Otherwise, or
     * when there is none, this directory (a second handle on it).
     */
    public SafeDirectory scratchParent() throws IOException {
        if (!FileOwner.runningAsRoot()) {
            return open(path);
        }
        Path real = path.toRealPath();
        Object device = Files.getAttribute(real, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Path pinned = null;
        for (Path prefix = real.getRoot(); prefix != null; prefix = deeper(prefix, real)) {
            if (!onlyRootCanChange(prefix)) {
                break;
            }
            if (device.equals(Files.getAttribute(prefix, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                pinned = prefix;
            }
        }
        return open(pinned == null || pinned.equals(real) ? path : pinned);
    }

    /** The next directory down from prefix towards full; null past full. */
    private static Path deeper(Path prefix, Path full) {
        return prefix.getNameCount() >= full.getNameCount() ? null : prefix.resolve(full.getName(prefix.getNameCount()));
    }

    /**
     * A real directory owned by root in which nobody but root can rename root's entries: no group
     * or other user can write it, or it is sticky (as /tmp is: there only an entry's owner may).
     */
    private static boolean onlyRootCanChange(Path directory) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> permissions = attributes.permissions();
        int mode = (Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        boolean sticky = (mode & 01000) != 0;
        return attributes.isDirectory() && (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS) == 0
                && (sticky || !permissions.contains(PosixFilePermission.GROUP_WRITE) && !permissions.contains(PosixFilePermission.OTHERS_WRITE));
    }

    /** A new directory only this user can enter, held open: nobody else can put anything in it. */
    public SafeDirectory createPrivateDirectory(String name) throws IOException {
        Files.createDirectory(resolve(name), PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        SafeDirectory created = openDirectory(name);
        PosixFileAttributes attributes = created.ownView(PosixFileAttributeView.class).readAttributes();
        if (!attributes.owner().equals(FileOwner.currentUser()) || !attributes.permissions().equals(PRIVATE_DIRECTORY)) {
            created.close();
            throw new IOException(created.path + " is not the private directory crystal-db just created");
        }
        return created;
    }

    /** A subdirectory, held open; a symlink is refused. */
    public SafeDirectory openDirectory(String name) throws IOException {
        SecureDirectoryStream<Path> sub = handle.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
        return new SafeDirectory(resolve(name), sub);
    }

    /** Removes a subdirectory (a scratch directory) with everything in it; symlinks in it are removed, never followed. */
    public void deleteTree(String name) throws IOException {
        try (SafeDirectory sub = openDirectory(name)) {
            for (String entry : sub.names()) {
                if (sub.attributes(entry).map(PosixFileAttributes::isDirectory).orElse(false)) {
                    sub.deleteTree(entry);
                } else {
                    sub.deleteIfExists(entry);
                }
            }
        } catch (NoSuchFileException e) {
            return;
        }
        try {
            handle.deleteDirectory(Path.of(name));
        } catch (NoSuchFileException e) {
            // gone already
        }
    }

    /** The names of the entries, in no particular order. */
    public List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        // a SecureDirectoryStream iterates once: list through a fresh handle on the same directory
        try (SecureDirectoryStream<Path> listing = handle.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS)) {
            for (Path entry : listing) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    /** Makes the directory's entries durable (after a create, rename or link). */
    public void fsync() throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private Object ownKey() throws IOException {
        return ownView(BasicFileAttributeView.class).readAttributes().fileKey();
    }

    private <V extends java.nio.file.attribute.FileAttributeView> V ownView(Class<V> type) {
        return handle.getFileAttributeView(type);
    }

    @Override
    public void close() {
        try {
            handle.close();
        } catch (IOException ignored) {
            // a directory handle has nothing to flush
        }
    }
}
