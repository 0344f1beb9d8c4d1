package dev.crystaldb.backup;

import java.nio.file.Path;

/** A backup file in the backup directory, as named and sized on disk. */
public record BackupEntry(Path file, BackupName name, long bytes) {
    /** Automatic backups taken before a change (pre-upgrade, pre-downgrade, emergency): pruned only by their own count. */
    public boolean isSafetyBackup() {
        return name.reason() != null;
    }
}
