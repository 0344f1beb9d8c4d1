package dev.crystaldb.backup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention on a synthetic, dated set of backup names; the clock is given, nothing sleeps. */
class RetentionTest {
    private static final Instant NOW = Instant.parse("2025-10-15T12:00:00Z"); // a Wednesday

    private static BackupEntry entry(String fileName) {
        return new BackupEntry(Path.of("/b", fileName), BackupName.parse(fileName).orElseThrow(), 1);
    }

    private static List<String> pruned(List<BackupEntry> entries, RetentionPolicy policy) {
        return Retention.toPrune(entries, policy, NOW).stream().map(e -> e.file().getFileName().toString()).sorted().toList();
    }

    /** Nightly 03:15 backups from 2025-06-01 to 2025-10-15, plus a second one on 10-14. */
    private static List<BackupEntry> nightly() {
        List<BackupEntry> entries = new ArrayList<>();
        for (java.time.LocalDate day = java.time.LocalDate.parse("2025-06-01"); !day.isAfter(java.time.LocalDate.parse("2025-10-15")); day = day.plusDays(1)) {
            entries.add(entry("budget_" + day.toString().replace("-", "") + "_031500.db"));
        }
        entries.add(entry("budget_20251014_220000.db"));
        return entries;
    }

    private static List<String> kept(List<BackupEntry> all, RetentionPolicy policy) {
        List<String> prunedNames = pruned(all, policy);
        return all.stream().map(e -> e.file().getFileName().toString()).filter(n -> !prunedNames.contains(n)).sorted().toList();
    }

    @Test
    void keepNKeepsTheNewest() {
        assertEquals(List.of("budget_20251014_031500.db", "budget_20251014_220000.db", "budget_20251015_031500.db"),
                kept(nightly(), new RetentionPolicy(3, null, null, null, 10)));
    }

    @Test
    void dailyWeeklyMonthlyKeepTheNewestOfEachPeriod() {
        List<String> kept = kept(nightly(), new RetentionPolicy(null, 3, 3, 3, 10));
        assertEquals(List.of(
                // months: the newest of August and September (October's newest is today's)
                "budget_20250831_031500.db",
                "budget_20250930_031500.db",
                // ISO weeks: the week of 09-29..10-05 ends on Sunday 10-05, 10-06..10-12 on 10-12, this week's is today's
                "budget_20251005_031500.db",
                "budget_20251012_031500.db",
                // days: 10-13, the newest of 10-14 (22:00, not 03:15), and today
                "budget_20251013_031500.db",
                "budget_20251014_220000.db",
                "budget_20251015_031500.db"), kept);
    }

    @Test
    void periodsWithoutBackupsAreNotMadeUpFromOlderOnes() {
        List<BackupEntry> entries = List.of(entry("budget_20251001_031500.db"), entry("budget_20251002_031500.db"));
        // the last 7 days (10-09..10-15) hold no backup: daily keeps nothing, so only --keep protects
        assertEquals(List.of("budget_20251001_031500.db", "budget_20251002_031500.db"),
                pruned(entries, new RetentionPolicy(null, 7, null, null, 10)));
        assertEquals(List.of("budget_20251001_031500.db"), pruned(entries, new RetentionPolicy(1, 7, null, null, 10)));
    }

    @Test
    void safetyBackupsArePrunedOnlyByTheirOwnCountPerReason() {
        List<BackupEntry> entries = new ArrayList<>(nightly());
        for (int i = 1; i <= 4; i++) {
            entries.add(entry("budget_2025100" + i + "_120000_pre-upgrade.db"));
            entries.add(entry("budget_2025090" + i + "_120000_emergency.db"));
        }
        List<String> pruned = pruned(entries, new RetentionPolicy(1, null, null, null, 2));
        assertEquals(List.of("budget_20250901_120000_emergency.db", "budget_20250902_120000_emergency.db",
                "budget_20251001_120000_pre-upgrade.db", "budget_20251002_120000_pre-upgrade.db"),
                pruned.stream().filter(n -> n.contains("_pre-") || n.contains("_emergency")).toList());
        assertEquals(nightly().size() - 1, pruned.stream().filter(n -> !n.contains("_pre-") && !n.contains("_emergency")).count());
    }

    @Test
    void manualAndPreChangeBackupsAreNeverThinnedByTheCalendarRules() {
        List<BackupEntry> entries = new ArrayList<>(nightly());
        // "before I try something" at 02:00, an hour before that day's nightly backup, and older ones by hand
        List<String> byHand = List.of("budget_20251015_020000_manual.db", "budget_20251014_120000_manual.db", "budget_20250701_120000_manual.db");
        List<String> preChange = List.of("budget_20251015_021000_pre-upgrade.db", "budget_20251015_021500_pre-downgrade.db",
                "budget_20251015_022000_emergency.db");
        byHand.forEach(n -> entries.add(entry(n)));
        preChange.forEach(n -> entries.add(entry(n)));
        List<String> pruned = pruned(entries, new RetentionPolicy(null, 7, 4, 6, 10));
        byHand.forEach(n -> assertFalse(pruned.contains(n), n + " was pruned"));
        preChange.forEach(n -> assertFalse(pruned.contains(n), n + " was pruned"));
        assertTrue(pruned.contains("budget_20250701_031500.db"), "the scheduled ones are still thinned");
    }

    @Test
    void keepManualKeepsTheNewestManualBackupsAndNothingElseChanges() {
        List<BackupEntry> entries = new ArrayList<>(nightly());
        for (int day = 1; day <= 5; day++) {
            entries.add(entry("budget_2025100" + day + "_120000_manual.db"));
        }
        List<String> pruned = pruned(entries, new RetentionPolicy(null, 7, null, null, 10, 2));
        assertEquals(List.of("budget_20251001_120000_manual.db", "budget_20251002_120000_manual.db", "budget_20251003_120000_manual.db"),
                pruned.stream().filter(n -> n.contains("_manual")).toList());
        assertEquals(pruned(nightly(), new RetentionPolicy(null, 7, null, null, 10)), pruned.stream().filter(n -> !n.contains("_manual")).toList());
        // --keep-manual alone thins only the manual ones
        assertEquals(List.of("budget_20251001_120000_manual.db", "budget_20251002_120000_manual.db"),
                pruned(entries, new RetentionPolicy(null, null, null, null, 10, 3)));
    }

    @Test
    void aRunWithARuleForScheduledBackupsIsScheduledAndAnyOtherIsManual() {
        assertEquals(null, new RetentionPolicy(null, 7, null, null, 10).reasonOfNewBackup());
        assertEquals(null, new RetentionPolicy(3, null, null, null, 10, 2).reasonOfNewBackup());
        assertEquals("manual", new RetentionPolicy(null, null, null, null, 10).reasonOfNewBackup());
        assertEquals("manual", new RetentionPolicy(null, null, null, null, 10, 5).reasonOfNewBackup());
    }

    @Test
    void withoutAPlainRuleNoPlainBackupIsPruned() {
        assertEquals(List.of(), pruned(nightly(), new RetentionPolicy(null, null, null, null, 10)));
    }

    @Test
    void sameSecondBackupsOrderBySequence() {
        List<BackupEntry> entries = List.of(entry("budget_20251015_031500.db"), entry("budget_20251015_031500-2.db"));
        assertEquals(List.of("budget_20251015_031500.db"), pruned(entries, new RetentionPolicy(1, null, null, null, 10)));
    }
}
