package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupEntry;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.BackupInspection;
import dev.crystaldb.ops.BackupsService;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.ops.RollbackService;
import dev.crystaldb.ops.SystemdUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "rollback", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Restore a backup: verify it, stop --service, take an emergency backup, swap the database atomically, start --service.")
class RollbackCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP", description = "A backup name as `crystal-db backups` lists it.")
    String backupName;

    @Option(names = "--latest", description = "Restore the newest backup.")
    boolean latest;

    @Option(names = "--before-upgrade", description = "Restore the newest pre-upgrade backup.")
    boolean beforeUpgrade;

    @Option(names = "--service", paramLabel = "UNIT", description = "Stop this systemd unit before the restore and start it after (also when the restore fails).")
    String service;

    @Override
    public Integer call() {
        Path databaseFile = root.databasePath();
        Optional<SystemdUnit> unit = Optional.ofNullable(service).map(SystemdUnit::of);
        BackupsService backups = new BackupsService(databaseFile, root.backupDirectory(databaseFile));
        BackupEntry chosen = choose(backups);
        Output output = root.output();
        RollbackService.Result result = new RollbackService(root.backupWriter(), output.progress(), output::info, root.lockTimeout())
                .rollback(new RollbackService.Request(databaseFile, backups.directory(), chosen, unit),
                        backup -> root.confirm("Replace " + databaseFile + " with " + backup.file().getFileName() + "?"));
        String version = result.version().map(Version::toString).orElse("none");
        output.result(Output.doc()
                        .with("database", databaseFile.toString())
                        .with("restored", chosen.file().toString())
                        .with("emergency_backup", result.emergencyBackup().map(Path::toString).orElse(null))
                        .with("version", result.version().map(Version::toString).orElse(null))
                        .with("hold", result.hold().map(HoldText::document).orElse(null)),
                "restored " + chosen.file().getFileName() + " into " + databaseFile + "; database is at version " + version
                        + result.emergencyBackup().map(p -> "\nemergency backup of the replaced database: " + p).orElse("")
                        + result.hold().map(h -> "\n" + HoldText.recorded(h)).orElse(""));
        return ExitCode.OK.code;
    }

    private BackupEntry choose(BackupsService backups) {
        int given = (backupName != null ? 1 : 0) + (latest ? 1 : 0) + (beforeUpgrade ? 1 : 0);
        if (given > 1) {
            throw CrystalDbException.usage("choose one backup: a name, --latest or --before-upgrade");
        }
        if (backupName != null) {
            return backups.named(backupName);
        }
        if (latest) {
            return backups.latest();
        }
        if (beforeUpgrade) {
            return backups.beforeUpgrade();
        }
        List<BackupEntry> entries = backups.entries();
        if (entries.isEmpty()) {
            throw CrystalDbException.usage("no backups in " + backups.directory() + ": nothing to restore");
        }
        if (root.yes || !Terminal.interactive()) {
            throw CrystalDbException.usage("name the backup to restore (see `crystal-db backups`), or pass --latest or --before-upgrade");
        }
        return pickOnTerminal(backups, entries);
    }

    private BackupEntry pickOnTerminal(BackupsService backups, List<BackupEntry> entries) {
        var err = root.spec.commandLine().getErr();
        for (int i = 0; i < entries.size(); i++) {
            BackupEntry entry = entries.get(i);
            BackupInspection inside = backups.inside(entry);
            err.printf("%3d) %s  %s  version %s%s%n", i + 1, entry.file().getFileName(), Sizes.human(entry.bytes()), inside.version(),
                    entry.isEmergencyCopy() ? "  (emergency copy: the state a rollback replaced)" : "");
        }
        String answer = Terminal.read(err, "restore which backup? [1-" + entries.size() + "] ");
        try {
            int choice = Integer.parseInt(answer.trim());
            if (choice >= 1 && choice <= entries.size()) {
                return entries.get(choice - 1);
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw CrystalDbException.usage("'" + answer.trim() + "' is not one of the numbers listed: nothing was changed");
    }
}
