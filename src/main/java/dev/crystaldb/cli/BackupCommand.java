package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.RetentionPolicy;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.BackupService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Write a verified, consistent copy of the live database to the backup directory, then apply retention.")
class BackupCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = "--full-check", description = "Verify the copy with PRAGMA integrity_check instead of quick_check.")
    boolean fullCheck;

    @Option(names = "--compress", description = "Store the verified copy gzipped (.db.gz).")
    boolean compress;

    @Option(names = "--keep", paramLabel = "N", description = "Keep the N newest scheduled backups. Any of --keep, --keep-daily, --keep-weekly, --keep-monthly makes this a scheduled backup; without them it is a manual one (named _manual).")
    Integer keep;

    @Option(names = "--keep-daily", paramLabel = "D", description = "Keep the newest scheduled backup of each of the last D days (UTC).")
    Integer keepDaily;

    @Option(names = "--keep-weekly", paramLabel = "W", description = "Keep the newest scheduled backup of each of the last W ISO weeks.")
    Integer keepWeekly;

    @Option(names = "--keep-monthly", paramLabel = "M", description = "Keep the newest scheduled backup of each of the last M months.")
    Integer keepMonthly;

    @Option(names = "--keep-manual", paramLabel = "N", description = "Keep the N newest manual backups (default: all of them).")
    Integer keepManual;

    @Option(names = "--keep-safety", paramLabel = "N", defaultValue = "10",
            description = "Keep the N newest pre-upgrade, pre-downgrade and emergency backups of each kind (default: ${DEFAULT-VALUE}); applied with the other --keep options.")
    int keepSafety;

    @Override
    public Integer call() {
        RetentionPolicy policy = policy();
        Path file = root.databasePath();
        BackupService.Result result = new BackupService(root.backupWriter(), root.output()::info, root.output()::notice, root.lockTimeout()) // --quiet too: a deletion is always logged
                .backup(new BackupService.Request(file, root.backupDirectory(file), policy, fullCheck, compress));
        BackupResult backup = result.backup();
        List<String> pruned = result.pruned().stream().map(e -> e.file().toString()).toList();
        String text = "backup: " + backup.file() + " (" + backup.bytes() + " bytes, " + backup.millis() + " ms)\n";
        root.output().result(Output.doc()
                .with("database", result.database().toString())
                .with("backup", backup.file().toString())
                .with("kind", policy.prunesPlainBackups() ? "scheduled" : "manual")
                .with("bytes", backup.bytes())
                .with("compressed", compress)
                .with("elapsed_ms", backup.millis())
                .with("pruned", pruned), text);
        return ExitCode.OK.code;
    }

    private RetentionPolicy policy() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("--keep", keep);
        counts.put("--keep-daily", keepDaily);
        counts.put("--keep-weekly", keepWeekly);
        counts.put("--keep-monthly", keepMonthly);
        counts.put("--keep-safety", keepSafety);
        counts.put("--keep-manual", keepManual);
        counts.forEach((option, count) -> {
            if (count != null && count < 1) {
                throw CrystalDbException.usage("retention counts must be 1 or more (got " + option + " " + count + "); leave an option out to not use it");
            }
        });
        return new RetentionPolicy(keep, keepDaily, keepWeekly, keepMonthly, keepSafety, keepManual);
    }
}
