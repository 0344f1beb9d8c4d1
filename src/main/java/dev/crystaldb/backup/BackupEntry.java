package dev.crystaldb.backup;

import java.nio.file.Path;
import java.util.Comparator;

/** A backup file in the backup directory, as named and sized on disk. */
public record BackupEntry(Path file, BackupName name, long bytes) {
    /** Newest first; within one second the file name decides, so the order never depends on a directory listing. */
    public static final Comparator<BackupEntry> NEWEST_FIRST = Comparator.comparing((BackupEntry e) -> e.name().time())
            .thenComparing(e -> e.name().sequence())
            .thenComparing(e -> e.file().getFileName().toString()).reversed();

    /** The state a rollback replaced ("emergency", or "emergency-raw" for a damaged file): never what --latest means. */
    public boolean isEmergencyCopy() {
        return name.reason() != null && name.reason().startsWith("emergency");
    }

    /** Taken by hand (`backup` without --keep, --keep-daily, --keep-weekly or --keep-monthly): pruned only by --keep-manual. */
    public boolean isManual() {
        return BackupName.MANUAL.equals(name.reason());
    }

    /** Scheduled: `backup` with a rule for scheduled backups, named without a reason; the only kind the calendar rules thin. */
    public boolean isScheduled() {
        return name.reason() == null;
    }

    /** Automatic backups taken before a change (pre-upgrade, pre-downgrade, emergency): pruned only by their own count. */
    public boolean isSafetyBackup() {
        return name.reason() != null && !isManual();
    }
}
