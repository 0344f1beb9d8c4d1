package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupEntry;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.BackupInspection;
import dev.crystaldb.ops.BackupsService;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "backups", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "List the database's backups, newest first: name, time, size, version inside, reason.")
class BackupsCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Override
    public Integer call() {
        var databaseFile = root.databasePath();
        BackupsService.Listing listing = new BackupsService(databaseFile, root.backupDirectory(databaseFile)).list();
        List<List<String>> rows = new ArrayList<>();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (BackupsService.Listed listed : listing.backups()) {
            BackupEntry entry = listed.entry();
            BackupInspection inside = listed.inside();
            String time = entry.name().time().toString().replace('T', ' ');
            String reason = entry.name().reason() == null ? "" : entry.name().reason();
            rows.add(List.of(entry.file().getFileName().toString(), time, Sizes.human(entry.bytes()), inside.version(), reason,
                    entry.name().compressed() ? "gzip" : ""));
            documents.add(Output.doc()
                    .with("name", entry.file().getFileName().toString())
                    .with("path", entry.file().toString())
                    .with("time", entry.name().time().toString())
                    .with("bytes", entry.bytes())
                    .with("version", inside.readable() ? inside.versionOrNull() : null)
                    .with("readable", inside.readable())
                    .with("problem", inside.problem())
                    .with("reason", entry.name().reason())
                    .with("compressed", entry.name().compressed()));
        }
        List<String> ignored = listing.ignored();
        ignored.forEach(reason -> root.output().info("ignored " + reason));
        String text = rows.isEmpty() ? "no backups in " + listing.directory() + "\n"
                : Output.table(List.of("NAME", "TIME (UTC)", "SIZE", "VERSION", "REASON", "COMPRESSED"), rows);
        root.output().result(Output.doc().with("directory", listing.directory().toString()).with("backups", documents)
                .with("ignored", ignored), text);
        return ExitCode.OK.code;
    }
}
