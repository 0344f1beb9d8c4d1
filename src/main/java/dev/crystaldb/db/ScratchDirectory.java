package dev.crystaldb.db;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The private scratch directory of one run, for files SQLite opens by their path (the backup API's
 * copy and its journal, the check of a copy, a decompressed backup, a rehearsal, a staged restore,
 * Alembic's scratch databases). The one place that decides where it goes and what it is called:
 * <ul>
 * <li>where: {@link SafeDirectory#scratchParent()} of the directory the finished files belong in,
 * so a root run never works under a directory another user can rename, and the result can still be
 * linked or renamed into place (same file system);</li>
 * <li>what: {@code .crystal-db-<pid>-<nanos>.tmp}, mode 0700, held open; a run that was killed
 * leaves its directory behind, and the next run removes it once that pid is gone;</li>
 * <li>until when: closing it deletes it with everything in it.</li>
 * </ul>
 */
public final class ScratchDirectory implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("\\.crystal-db-(\\d+)-\\d+\\.tmp");

    private final SafeDirectory parent;
    private final String name;
    private final SafeDirectory directory;

    private ScratchDirectory(SafeDirectory parent, String name, SafeDirectory directory) {
        this.parent = parent;
        this.name = name;
        this.directory = directory;
    }

    /**
     * A new scratch directory for work whose results go into home: made in home's scratch parent,
     * after removing what killed runs left in home and in that parent.
     */
    public static ScratchDirectory createFor(SafeDirectory home) throws IOException {
        SafeDirectory parent = home.scratchParent();
        try {
            removeLeftoversOfKilledRuns(home);
            if (!parent.path().equals(home.path())) {
                removeLeftoversOfKilledRuns(parent);
            }
            String name = newName();
            return new ScratchDirectory(parent, name, parent.createPrivateDirectory(name));
        } catch (IOException | RuntimeException e) {
            parent.close();
            throw e;
        }
    }

    /** The scratch directory itself, to create and open files in. */
    public SafeDirectory directory() {
        return directory;
    }

    /** The path of name inside it, for SQLite and other code that opens files by path. */
    public Path resolve(String fileName) {
        return directory.resolve(fileName);
    }

    public Path path() {
        return directory.path();
    }

    /**
     * A name of this run's kind that the next run removes once this process is gone, also for a
     * temporary file that is not a directory.
     */
    public static String newName() {
        return ".crystal-db-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp";
    }

    /** Removes the scratch entries of runs whose process is gone; those of live runs stay. */
    public static void removeLeftoversOfKilledRuns(SafeDirectory directory) {
        try {
            for (String entry : directory.names()) {
                Matcher scratch = NAME.matcher(entry);
                if (scratch.matches() && !alive(scratch.group(1))) {
                    deleteQuietly(directory, entry);
                }
            }
        } catch (IOException ignored) {
            // leftovers are hidden; failing to tidy them must not stop the run
        }
    }

    static boolean alive(String pid) {
        return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public void close() {
        directory.close();
        deleteQuietly(parent, name);
        parent.close();
    }

    private static void deleteQuietly(SafeDirectory directory, String entry) {
        try {
            if (directory.isRegularFile(entry)) {
                directory.deleteIfExists(entry); // a temporary file named so (bundle's)
            } else {
                directory.deleteTree(entry);
            }
        } catch (IOException ignored) {
            // hidden, and removed by the next run once this process is gone
        }
    }
}
