package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupCatalog;
import dev.crystaldb.backup.BackupEntry;
import dev.crystaldb.errors.CrystalDbException;

import java.nio.file.Path;
import java.util.List;

/**
 * `backups`, and the choice of the backup `rollback` restores: the backups of one database in its
 * backup directory, newest first, each with the version inside; only reads.
 */
public final class BackupsService {
    /** A backup with what is inside it (a damaged one is listed, not skipped). */
    public record Listed(BackupEntry entry, BackupInspection inside) {
    }

    /** The directory, its backups newest first, and the files named like backups that are not (a symlink, another user's). */
    public record Listing(Path directory, List<Listed> backups, List<String> ignored) {
    }

    private final BackupCatalog catalog;

    public BackupsService(Path database, Path backupDirectory) {
        this.catalog = new BackupCatalog(backupDirectory, database);
    }

    public Path directory() {
        return catalog.directory();
    }

    public Listing list() {
        List<Listed> listed = catalog.list().stream().map(e -> new Listed(e, BackupInspection.of(catalog, e))).toList();
        return new Listing(catalog.directory(), listed, catalog.ignored());
    }

    /** The backups newest first, without looking inside. */
    public List<BackupEntry> entries() {
        return catalog.list();
    }

    public BackupInspection inside(BackupEntry entry) {
        return BackupInspection.of(catalog, entry);
    }

    /** The backup of that name (exit 2 when there is none). */
    public BackupEntry named(String name) {
        return catalog.find(name);
    }

    /** The newest whole backup, emergency copies aside (exit 2 when there is none). */
    public BackupEntry latest() {
        return catalog.latest().orElseThrow(() -> CrystalDbException.usage(catalog.list().isEmpty()
                ? "no backups in " + catalog.directory() + ": nothing to restore"
                : "no backup in " + catalog.directory() + " for --latest, only emergency copies or unreadable files: "
                        + "name one to restore it (`crystal-db backups` lists them)"));
    }

    /** The newest pre-upgrade backup (exit 2 when there is none). */
    public BackupEntry beforeUpgrade() {
        return catalog.latestWithReason("pre-upgrade").orElseThrow(() ->
                CrystalDbException.usage("no pre-upgrade backup in " + catalog.directory() + ": `crystal-db backups` lists what there is"));
    }
}
