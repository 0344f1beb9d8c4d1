package dev.crystaldb.backup;

/**
 * Which backups to keep. Scheduled backups (named without a reason): the newest {@code keep},
 * and/or the newest of each of the last {@code keepDaily} days, {@code keepWeekly} ISO weeks and
 * {@code keepMonthly} months (UTC). Manual backups: the newest {@code keepManual}, all when null.
 * Safety backups (pre-upgrade, pre-downgrade, emergency): the newest {@code keepSafety} of each reason.
 * A null count means that rule is not used; with no rule for a kind none of that kind is pruned.
 */
public record RetentionPolicy(Integer keep, Integer keepDaily, Integer keepWeekly, Integer keepMonthly, int keepSafety, Integer keepManual) {
    public RetentionPolicy(Integer keep, Integer keepDaily, Integer keepWeekly, Integer keepMonthly, int keepSafety) {
        this(keep, keepDaily, keepWeekly, keepMonthly, keepSafety, null);
    }

    /** A rule for scheduled backups is given: the run is the scheduled one (cron, a timer), and its backup is named so. */
    public boolean prunesPlainBackups() {
        return keep != null || keepDaily != null || keepWeekly != null || keepMonthly != null;
    }

    /** Whether retention runs at all after the backup: a rule for scheduled or for manual backups (--keep-safety goes with them). */
    public boolean prunes() {
        return prunesPlainBackups() || keepManual != null;
    }

    /** The reason the backup of a run under this policy is named with: none when scheduled, "manual" when taken by hand. */
    public String reasonOfNewBackup() {
        return prunesPlainBackups() ? null : BackupName.MANUAL;
    }

    /** Why retention under this policy pruned entry, for the line that names it. */
    public String whyPruned(BackupEntry entry) {
        if (entry.isManual()) {
            return "a manual backup older than the newest " + keepManual + " (--keep-manual " + keepManual + ")";
        }
        if (entry.isSafetyBackup()) {
            return "a " + entry.name().reason() + " backup older than the newest " + keepSafety + " (--keep-safety " + keepSafety + ")";
        }
        return "a scheduled backup no --keep, --keep-daily, --keep-weekly or --keep-monthly rule keeps";
    }
}
