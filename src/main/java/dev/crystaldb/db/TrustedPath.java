package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Turns a path the operator gave (--db, --backup-dir) into its real path, following only symlinks
 * that root or the user running crystal-db own. A root run must not be steered by a link the app's
 * user planted (the kernel's protected_symlinks rule, applied to every component); the operator's
 * own links, and those an administrator made as root, are followed as usual.
 */
public final class TrustedPath {
    private static final int MAX_LINKS = 40;

    private TrustedPath() {
    }

    /** Refuses a path with a control character (a newline, a tab): never a name an operator meant. */
    public static Path requirePlain(Path path, String what) {
        String text = path.toString();
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw CrystalDbException.usage(what + " '" + text.replaceAll("\\p{Cntrl}", "?") + "' contains a control character (at position "
                        + (i + 1) + "): give a plain path");
            }
        }
        return path;
    }

    /**
     * The real path of path, which need not exist (its missing tail is kept as given). what names
     * the setting in the refusal, e.g. "--db".
     */
    public static Path resolve(Path path, String what) {
        requirePlain(path, what);
        try {
            return resolve(path.toAbsolutePath(), what, path, 0);
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot resolve " + what + " " + path + ": " + e.getMessage());
        }
    }

    private static Path resolve(Path absolute, String what, Path given, int links) throws IOException {
        Path current = absolute.getRoot();
        for (int i = 0; i < absolute.getNameCount(); i++) {
            String part = absolute.getName(i).toString();
            if (part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                current = current.getParent() == null ? current : current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return i + 1 < absolute.getNameCount() ? next.resolve(absolute.subpath(i + 1, absolute.getNameCount())).normalize() : next;
            }
            if (!attributes.isSymbolicLink()) {
                current = next;
                continue;
            }
            int owner = FileOwner.uidOf(next);
            if (owner != FileOwner.ROOT && owner != FileOwner.currentUid()) {
                throw CrystalDbException.usage(what + " " + given + ": " + next + " is a symlink owned by uid " + owner
                        + ", another user; crystal-db follows only symlinks owned by root or by the user running it: pass the real path");
            }
            if (links >= MAX_LINKS) {
                throw CrystalDbException.usage(what + " " + given + ": too many levels of symlinks at " + next);
            }
            current = resolve(current.resolve(Files.readSymbolicLink(next)), what, given, links + 1);
        }
        return current;
    }
}
