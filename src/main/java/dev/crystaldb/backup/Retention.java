package dev.crystaldb.backup;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Decides which backups a retention policy prunes. Pure: the clock and the file list come in. */
public final class Retention {
    private Retention() {
    }

    /** The entries to delete, from a catalog listing (any order). */
    public static List<BackupEntry> toPrune(List<BackupEntry> entries, RetentionPolicy policy, Instant now) {
        List<BackupEntry> newestFirst = new ArrayList<>(entries);
        newestFirst.sort(BackupEntry.NEWEST_FIRST);
        Set<BackupEntry> keep = new HashSet<>();
        List<BackupEntry> plain = newestFirst.stream().filter(BackupEntry::isScheduled).toList();
        List<BackupEntry> manual = newestFirst.stream().filter(BackupEntry::isManual).toList();
        // taken by hand ("before I try something"): never thinned by the calendar, only by their own count
        keep.addAll(policy.keepManual() == null ? manual : manual.subList(0, Math.min(policy.keepManual(), manual.size())));
        if (!policy.prunesPlainBackups()) {
            keep.addAll(plain);
        }
        if (policy.keep() != null) {
            keep.addAll(plain.subList(0, Math.min(policy.keep(), plain.size())));
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (policy.keepDaily() != null) {
            keepNewestPerPeriod(plain, keep, d -> d.toEpochDay(), today.toEpochDay(), policy.keepDaily());
        }
        if (policy.keepWeekly() != null) {
            keepNewestPerPeriod(plain, keep, Retention::isoWeekIndex, isoWeekIndex(today), policy.keepWeekly());
        }
        if (policy.keepMonthly() != null) {
            keepNewestPerPeriod(plain, keep, d -> d.getYear() * 12L + d.getMonthValue() - 1, today.getYear() * 12L + today.getMonthValue() - 1,
                    policy.keepMonthly());
        }
        Map<String, Integer> keptPerReason = new HashMap<>();
        for (BackupEntry entry : newestFirst) {
            if (entry.isSafetyBackup() && keptPerReason.merge(entry.name().reason(), 1, Integer::sum) <= policy.keepSafety()) {
                keep.add(entry);
            }
        }
        return newestFirst.stream().filter(e -> !keep.contains(e)).toList();
    }

    /** Keeps the newest backup of each of the `count` periods ending with the current one. */
    private static void keepNewestPerPeriod(List<BackupEntry> newestFirst, Set<BackupEntry> keep,
                                            Function<LocalDate, Long> period, long current, int count) {
        Set<Long> covered = new HashSet<>();
        for (BackupEntry entry : newestFirst) {
            long p = period.apply(LocalDate.ofInstant(entry.name().time(), ZoneOffset.UTC));
            if (p > current - count && p <= current && covered.add(p)) {
                keep.add(entry);
            }
        }
    }

    /** A running number for ISO weeks: consecutive weeks differ by one, across years too. */
    private static long isoWeekIndex(LocalDate date) {
        LocalDate monday = date.minusDays(date.getDayOfWeek().getValue() - 1L);
        return Math.floorDiv(monday.toEpochDay() + 3, 7); // epoch day 0 was a Thursday
    }

}
