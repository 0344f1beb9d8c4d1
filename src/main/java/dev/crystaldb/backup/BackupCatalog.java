package dev.crystaldb.backup;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.progress.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/** The backups of one database in one directory: files crystal-db named, newest first. */
public final class BackupCatalog {
    private final Path directory;
    private final String stem;

    public BackupCatalog(Path directory, Path database) {
        this.directory = directory;
        this.stem = BackupName.stemOf(database.getFileName().toString());
    }

    public Path directory() {
        return directory;
    }

    /** Newest first; files that do not carry crystal-db's name for this database are not listed (and never pruned). */
    public List<BackupEntry> list() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<BackupEntry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Optional<BackupName> name = BackupName.parse(file.getFileName().toString());
                if (name.isPresent() && name.get().stem().equals(stem) && Files.isRegularFile(file)) {
                    entries.add(new BackupEntry(file, name.get(), Files.size(file)));
                }
            }
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot list backups in " + directory + ": " + e.getMessage(), e);
        }
        entries.sort(BackupEntry.NEWEST_FIRST);
        return entries;
    }

    /** A backup by its file name as `backups` prints it; anything else, paths included, is exit 2. */
    public BackupEntry find(String fileName) {
        if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw CrystalDbException.usage("'" + fileName + "' is not a backup name: give a name as `crystal-db backups` lists it, without a path");
        }
        return list().stream().filter(e -> e.file().getFileName().toString().equals(fileName)).findFirst()
                .orElseThrow(() -> CrystalDbException.usage("no backup named " + fileName + " in " + directory
                        + ": `crystal-db backups` lists them"));
    }

    /**
     * Runs reader on a plain SQLite file holding the backup: the backup itself, or for a .db.gz a
     * temporary decompressed copy (hidden in the backup directory, removed afterwards).
     */
    public <T> T withPlainCopy(BackupEntry entry, Function<Path, T> reader) {
        if (!entry.name().compressed()) {
            return reader.apply(entry.file());
        }
        Path temporary = directory.resolve("." + stem + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime() + ".db.partial");
        try {
            FileCopy.gunzip(entry.file(), temporary, Progress.NONE, "decompressing " + entry.file().getFileName());
            return reader.apply(temporary);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot decompress " + entry.file().getFileName() + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // hidden, and removed by the next backup's tidy-up
            }
        }
    }

    /**
     * Applies retention after a backup: deletes (with its -wal, if any) every backup the policy does
     * not keep, never the one just written. Returns what was deleted.
     */
    public List<Path> prune(RetentionPolicy policy, Instant now, Path justWritten) {
        List<Path> pruned = new ArrayList<>();
        for (BackupEntry old : Retention.toPrune(list(), policy, now)) {
            if (old.file().equals(justWritten)) {
                continue;
            }
            try {
                Files.deleteIfExists(old.file());
                Files.deleteIfExists(Path.of(old.file() + "-wal"));
            } catch (IOException e) {
                throw CrystalDbException.failed("the backup was written, but pruning " + old.file() + " failed: " + e.getMessage(), e);
            }
            pruned.add(old.file());
        }
        return pruned;
    }

    public Optional<BackupEntry> latest() {
        return list().stream().findFirst();
    }

    public Optional<BackupEntry> latestWithReason(String reason) {
        return list().stream().filter(e -> reason.equals(e.name().reason())).findFirst();
    }
}
