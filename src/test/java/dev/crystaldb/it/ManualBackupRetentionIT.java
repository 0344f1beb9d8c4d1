package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.assertUntouched;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nightly `backup --quiet --keep-daily 7` thins scheduled backups only: a backup taken by hand
 * ("before I try something", a `backup` run without a rule for scheduled backups) and the
 * pre-change backups stay unless `--keep-manual N` / `--keep-safety N` say otherwise, and every
 * file retention deletes is named on stderr, --quiet or not (priority notice in the journal).
 */
class ManualBackupRetentionIT {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final String NIGHTLY = "--quiet --keep-daily 7 --keep-weekly 4 --keep-monthly 6";

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void theNightlyRunKeepsWhatWasTakenByHandAndNamesWhatItPrunes() throws Exception {
        Path db = database();
        Path backups = dir.resolve("backups");
        Files.createDirectories(backups);
        String tenDaysAgo = LocalDate.now(ZoneOffset.UTC).minusDays(10).format(DAY);
        String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).format(DAY);
        List<String> oldScheduled = List.of("app_" + tenDaysAgo + "_031500.db", "app_" + tenDaysAgo + "_041500.db");
        List<String> preChange = List.of("app_" + yesterday + "_031500_pre-upgrade.db", "app_" + yesterday + "_031600_pre-downgrade.db",
                "app_" + yesterday + "_031700_emergency.db");
        for (String name : concat(oldScheduled, preChange)) {
            Files.copy(db, backups.resolve(name)); // whole databases: retention never counts a broken file as a backup
        }

        // by hand, before trying something
        CrystalDb.Result byHand = ok(dir, "--db", db.toString(), "backup");
        String manual = single(fileNames(backups), "_manual.db");
        assertTrue(byHand.stdout().contains("backup: " + backups.resolve(manual)), byHand::describe);
        assertTrue(manual.matches("app_\\d{8}_\\d{6}(-\\d+)?_manual\\.db"), manual);

        // the same day, the nightly run from cron or the timer
        CrystalDb.Result nightly = ok(dir, concat(List.of("--db", db.toString(), "backup"), List.of(NIGHTLY.split(" "))).toArray(String[]::new));
        assertEquals("", nightly.stdout(), "--quiet");
        List<String> names = fileNames(backups);
        assertTrue(names.contains(manual), "the backup taken by hand was pruned: " + names);
        assertTrue(names.containsAll(preChange), names.toString());
        // the scheduled ones are thinned as before: today's and, for the weekly rule, the newest of the week ten days ago stay
        assertEquals(2, names.stream().filter(n -> n.matches("app_\\d{8}_\\d{6}(-\\d+)?\\.db")).count(), names.toString());
        assertTrue(names.contains(oldScheduled.get(1)), names.toString());
        assertFalse(names.contains(oldScheduled.get(0)), names.toString());
        // and what went is named on stderr although --quiet
        assertEquals(List.of("pruned: " + backups.resolve(oldScheduled.get(0))
                + " (a scheduled backup no --keep, --keep-daily, --keep-weekly or --keep-monthly rule keeps)"), nightly.stderrLines(), nightly::describe);

        // --keep-manual N thins the manual ones, newest kept, each deletion named; the scheduled and pre-change ones are left
        List<String> olderByHand = List.of("app_20200101_120000_manual.db", "app_20200102_120000_manual.db");
        for (String name : olderByHand) {
            Files.copy(db, backups.resolve(name));
        }
        CrystalDb.Result thinned = ok(dir, "--db", db.toString(), "backup", "--quiet", "--keep-daily", "7", "--keep-manual", "2");
        List<String> after = fileNames(backups);
        assertTrue(after.contains(manual) && after.contains(olderByHand.get(1)), after.toString());
        assertFalse(after.contains(olderByHand.get(0)), after.toString());
        assertTrue(after.containsAll(preChange), after.toString());
        assertTrue(thinned.stderrLines().contains("pruned: " + backups.resolve(olderByHand.get(0))
                + " (a manual backup older than the newest 2 (--keep-manual 2))"), thinned::describe);
        assertEquals(1, count(backups.resolve(manual), "t"), "the manual backup is a whole copy");
    }

    @Test
    @Timeout(120)
    void underSystemdEachPrunedLineCarriesThePriorityNotice() throws Exception {
        Path db = database();
        Path backups = Files.createDirectories(dir.resolve("backups"));
        Path old = backups.resolve("app_20200101_031500.db");
        Files.copy(db, old);
        Path err = Files.createFile(dir.resolve("journal.txt"));
        String stream = Files.getAttribute(err, "unix:dev") + ":" + Files.getAttribute(err, "unix:ino");
        assertEquals(0, runWithStderrTo(err, stream, "--db", db.toString(), "backup", "--quiet", "--keep-daily", "7"));
        assertEquals("<5>pruned: " + old + " (a scheduled backup no --keep, --keep-daily, --keep-weekly or --keep-monthly rule keeps)\n",
                Files.readString(err));
        assertFalse(Files.exists(old));
    }

    @Test
    @Timeout(120)
    void aBadKeepManualChangesNothing() throws Exception {
        Path db = database();
        Files.createDirectories(dir.resolve("backups"));
        Files.copy(db, dir.resolve("backups/app_20200101_120000_manual.db"));
        Map<String, String> before = snapshot(dir);
        for (String bad : List.of("0", "-1", "many")) {
            CrystalDb.Result refused = run(dir, "--db", db.toString(), "backup", "--keep-manual", bad);
            assertEquals(2, refused.exitCode(), refused::describe);
            assertOneCleanErrorLine(refused);
            assertTrue(refused.errorLines().get(0).contains("--keep-manual"), refused::describe);
            assertUntouched(before, dir);
        }
    }

    private Path database() {
        migrations(dir.resolve("m"), "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t (v) VALUES ('row');\n");
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--create", "-y", "--no-backup");
        return db;
    }

    private int runWithStderrTo(Path err, String journalStream, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CrystalDb.executable().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("CRYSTAL_DB"));
        builder.environment().put("JOURNAL_STREAM", journalStream);
        Process process = builder.start();
        process.getOutputStream().close();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return process.exitValue();
    }

    private static String single(List<String> names, String suffix) {
        List<String> found = names.stream().filter(n -> n.endsWith(suffix)).toList();
        assertEquals(1, found.size(), names.toString());
        return found.get(0);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
