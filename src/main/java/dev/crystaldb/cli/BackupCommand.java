package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupCatalog;
import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.RetentionPolicy;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Write a verified, consistent copy of the live database to the backup directory, then apply retention.")
class BackupCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = "--full-check", description = "Verify the copy with PRAGMA integrity_check instead of quick_check.")
    boolean fullCheck;

    @Option(names = "--compress", description = "Store the verified copy gzipped (.db.gz).")
    boolean compress;

    @Option(names = "--keep", paramLabel = "N", description = "Keep the N newest plain backups.")
    Integer keep;

    @Option(names = "--keep-daily", paramLabel = "D", description = "Keep the newest plain backup of each of the last D days (UTC).")
    Integer keepDaily;

    @Option(names = "--keep-weekly", paramLabel = "W", description = "Keep the newest plain backup of each of the last W ISO weeks.")
    Integer keepWeekly;

    @Option(names = "--keep-monthly", paramLabel = "M", description = "Keep the newest plain backup of each of the last M months.")
    Integer keepMonthly;

    @Option(names = "--keep-safety", paramLabel = "N", defaultValue = "10",
            description = "Keep the N newest pre-upgrade, pre-downgrade and emergency backups of each kind (default: ${DEFAULT-VALUE}); applied with the other --keep options.")
    int keepSafety;

    @Override
    public Integer call() {
        RetentionPolicy policy = policy();
        SqliteDatabase database = SqliteDatabase.forCopying(root.databasePath(), root.lockTimeout());
        Path directory = root.backupDirectory(database.file());
        root.output().info("backing up " + database.file() + " ...");
        BackupResult backup = root.backupWriter().write(database, directory, null, fullCheck, compress);
        List<String> pruned = policy.prunesPlainBackups()
                ? new BackupCatalog(directory, database.file()).prune(policy, Instant.now(), backup.file()).stream().map(Path::toString).toList()
                : List.of();
        StringBuilder text = new StringBuilder("backup: " + backup.file() + " (" + backup.bytes() + " bytes, " + backup.millis() + " ms)\n");
        pruned.forEach(p -> text.append("pruned: ").append(p).append('\n'));
        root.output().result(Output.doc()
                .with("database", database.file().toString())
                .with("backup", backup.file().toString())
                .with("bytes", backup.bytes())
                .with("compressed", compress)
                .with("elapsed_ms", backup.millis())
                .with("pruned", pruned), text.toString());
        return ExitCode.OK.code;
    }

    private RetentionPolicy policy() {
        for (Integer count : new Integer[]{keep, keepDaily, keepWeekly, keepMonthly, keepSafety}) {
            if (count != null && count < 1) {
                throw CrystalDbException.usage("retention counts must be 1 or more (got " + count + "); leave an option out to not use it");
            }
        }
        return new RetentionPolicy(keep, keepDaily, keepWeekly, keepMonthly, keepSafety);
    }
}
