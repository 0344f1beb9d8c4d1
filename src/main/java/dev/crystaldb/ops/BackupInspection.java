package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupCatalog;
import dev.crystaldb.backup.BackupEntry;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.HistoryReader;
import dev.crystaldb.migrate.Version;

/** The schema version inside a backup, or why it cannot be read; a damaged backup is listed, not skipped. */
public record BackupInspection(String versionOrNull, boolean readable, String problem) {

    public static BackupInspection of(BackupCatalog catalog, BackupEntry entry) {
        var unsound = BackupCatalog.unsound(entry);
        if (unsound.isPresent()) {
            return new BackupInspection(null, false, unsound.get());
        }
        try {
            return catalog.withPlainCopy(entry, file -> new BackupInspection(
                    HistoryReader.currentVersion(file).map(Version::toString).orElse(null), true, null));
        } catch (CrystalDbException e) {
            return new BackupInspection(null, false, e.getMessage());
        }
    }

    /** As listed: the version, none, or UNREADABLE. */
    public String version() {
        if (!readable) {
            return "UNREADABLE";
        }
        return versionOrNull == null ? "none" : versionOrNull;
    }
}
