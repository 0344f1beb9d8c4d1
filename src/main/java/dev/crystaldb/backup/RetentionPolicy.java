package dev.crystaldb.backup;

/**
 * Which backups to keep. Plain backups: the newest {@code keep}, and/or the newest of each of the
 * last {@code keepDaily} days, {@code keepWeekly} ISO weeks and {@code keepMonthly} months (UTC).
 * Safety backups (pre-upgrade, pre-downgrade, emergency): the newest {@code keepSafety} of each reason.
 * A null count means that rule is not used; with no rule for plain backups none is pruned.
 */
public record RetentionPolicy(Integer keep, Integer keepDaily, Integer keepWeekly, Integer keepMonthly, int keepSafety) {
    public boolean prunesPlainBackups() {
        return keep != null || keepDaily != null || keepWeekly != null || keepMonthly != null;
    }
}
