package dev.crystaldb.backup;

import dev.crystaldb.db.FileOwner;
import dev.crystaldb.db.SafeDirectory;
import dev.crystaldb.db.ScratchDirectory;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.progress.Progress;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The backups of one database in one directory: files crystal-db named, newest first. Only regular
 * files that belong to the database's owner or root count: a symlink named like a backup (which
 * could lead a root run to restore a root-only file into the app's database), a FIFO, or another
 * user's file is never listed, restored or pruned; {@link #ignored()} says what was passed over.
 */
public final class BackupCatalog {
    private final Path directory;
    private final Path database;
    private final String stem;

    public BackupCatalog(Path directory, Path database) {
        this.directory = directory;
        this.database = database;
        this.stem = BackupName.stemOf(database.getFileName().toString());
    }

    public Path directory() {
        return directory;
    }

    /** Newest first; files that do not carry crystal-db's name for this database are not listed (and never pruned). */
    public List<BackupEntry> list() {
        List<BackupEntry> entries = new ArrayList<>();
        scan(entries, new ArrayList<>());
        entries.sort(BackupEntry.NEWEST_FIRST);
        return entries;
    }

    /** Files named like this database's backups that are not trusted as backups, each with the reason. */
    public List<String> ignored() {
        List<String> ignored = new ArrayList<>();
        scan(new ArrayList<>(), ignored);
        return ignored;
    }

    private void scan(List<BackupEntry> entries, List<String> ignored) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        FileOwner owner = databaseOwner();
        try (SafeDirectory backups = SafeDirectory.open(directory)) {
            for (String fileName : backups.names()) {
                Optional<BackupName> name = BackupName.parse(fileName);
                if (name.isEmpty() || !name.get().stem().equals(stem)) {
                    continue;
                }
                Optional<PosixFileAttributes> attributes = backups.attributes(fileName);
                if (attributes.isEmpty()) {
                    continue; // removed while we looked
                }
                int uid = FileOwner.uidOf(backups.resolve(fileName));
                if (!attributes.get().isRegularFile()) {
                    ignored.add(fileName + ": not a regular file (" + (attributes.get().isSymbolicLink() ? "a symlink" : "a directory, FIFO or device") + ")");
                } else if (!owner.trusts(uid)) {
                    ignored.add(fileName + ": belongs to uid " + uid + ", neither the database's owner nor root");
                } else {
                    entries.add(new BackupEntry(backups.resolve(fileName), name.get(), attributes.get().size()));
                }
            }
        } catch (NoSuchFileException e) {
            // no directory, no backups
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot list backups in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The database's owner; for a database that is gone, its directory's. */
    private FileOwner databaseOwner() {
        try {
            return FileOwner.of(database);
        } catch (IOException e) {
            try {
                return FileOwner.of(database.getParent());
            } catch (IOException again) {
                throw CrystalDbException.failed("cannot read the owner of " + database.getParent() + ": " + again.getMessage(), again);
            }
        }
    }

    /** A backup by its file name as `backups` prints it; anything else, paths included, is exit 2. */
    public BackupEntry find(String fileName) {
        if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw CrystalDbException.usage("'" + fileName + "' is not a backup name: give a name as `crystal-db backups` lists it, without a path");
        }
        Optional<BackupEntry> found = list().stream().filter(e -> e.file().getFileName().toString().equals(fileName)).findFirst();
        if (found.isPresent()) {
            return found.get();
        }
        Optional<String> distrusted = ignored().stream().filter(i -> i.startsWith(fileName + ":")).findFirst();
        throw CrystalDbException.usage(distrusted.map(reason -> "will not restore " + reason + "; choose a backup `crystal-db backups` lists")
                .orElse("no backup named " + fileName + " in " + directory + ": `crystal-db backups` lists them"));
    }

    /** Opens a listed backup for reading, checked again at the moment of opening: a regular file, never a symlink. */
    FileChannel open(BackupEntry entry) throws IOException {
        try (SafeDirectory backups = SafeDirectory.open(directory)) {
            return backups.openRegularFile(entry.file().getFileName().toString());
        }
    }

    /**
     * The -wal published beside a raw emergency copy (BackupWriter#writeRawCopy), when there is
     * one: a regular file of a trusted owner. Its commits are part of that backup.
     */
    Optional<FileChannel> openWal(BackupEntry entry) throws IOException {
        String name = entry.file().getFileName().toString() + "-wal";
        try (SafeDirectory backups = SafeDirectory.open(directory)) {
            Optional<PosixFileAttributes> attributes = backups.attributes(name);
            if (attributes.isEmpty() || !attributes.get().isRegularFile() || !databaseOwner().trusts(FileOwner.uidOf(backups.resolve(name)))) {
                return Optional.empty();
            }
            return Optional.of(backups.openRegularFile(name));
        }
    }

    /**
     * Runs reader on a plain SQLite file holding the backup: the backup itself, or for a .db.gz a
     * temporary decompressed copy in a private scratch directory, removed afterwards.
     */
    public <T> T withPlainCopy(BackupEntry entry, Function<Path, T> reader) {
        if (!entry.name().compressed()) {
            return reader.apply(entry.file());
        }
        try (SafeDirectory backups = SafeDirectory.open(directory); ScratchDirectory scratch = ScratchDirectory.createFor(backups)) {
            try (FileChannel in = backups.openRegularFile(entry.file().getFileName().toString());
                 FileChannel out = scratch.directory().createPrivateFile(stem + ".db")) {
                FileCopy.gunzip(in, out, Progress.NONE, "decompressing " + entry.file().getFileName());
            }
            return reader.apply(scratch.resolve(stem + ".db"));
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot decompress " + entry.file().getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies retention after a backup: deletes (with its -wal, if any) every backup the policy does
     * not keep, never the one just written. Returns what was deleted.
     */
    public List<BackupEntry> prune(RetentionPolicy policy, Instant now, Path justWritten) {
        List<BackupEntry> pruned = new ArrayList<>();
        try (SafeDirectory backups = SafeDirectory.open(directory)) {
            // a file that is no whole backup neither counts as one nor is pruned: it is the operator's to look at
            List<BackupEntry> sound = list().stream().filter(e -> unsound(e).isEmpty()).toList();
            for (BackupEntry old : Retention.toPrune(sound, policy, now)) {
                if (old.file().equals(justWritten)) {
                    continue;
                }
                String name = old.file().getFileName().toString();
                backups.deleteIfExists(name);
                backups.deleteIfExists(name + "-wal");
                pruned.add(old);
            }
        } catch (IOException e) {
            throw CrystalDbException.failed("the backup was written, but pruning old backups in " + directory + " failed: " + e.getMessage(), e);
        }
        return pruned;
    }

    /**
     * The newest backup to go back to: emergency copies (the state a rollback replaced) are not
     * candidates, nor files whose header already shows they are no whole database.
     */
    public Optional<BackupEntry> latest() {
        return list().stream().filter(e -> !e.isEmergencyCopy() && unsound(e).isEmpty()).findFirst();
    }

    /** The newest sound backup taken for reason (e.g. pre-upgrade). */
    public Optional<BackupEntry> latestWithReason(String reason) {
        return list().stream().filter(e -> reason.equals(e.name().reason()) && unsound(e).isEmpty()).findFirst();
    }

    /**
     * Why a backup is no whole database, from its first bytes only (cheap enough for every listing):
     * empty, no SQLite (or gzip) header, or shorter than its header says. Empty when it looks whole;
     * the full check runs before a restore.
     */
    public static Optional<String> unsound(BackupEntry entry) {
        if (entry.name().compressed()) {
            return GzipHeader.problem(entry.file());
        }
        try {
            CopyCheck.checkHeader(entry.file());
            return Optional.empty();
        } catch (CopyCheck.Unsound e) {
            return Optional.of(e.getMessage());
        }
    }
}
