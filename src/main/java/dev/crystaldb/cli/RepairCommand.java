package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.ops.RepairService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "repair", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Record the files' checksums (and descriptions) for applied migrations whose files changed, as Flyway's repair does.")
class RepairCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = "--dry-run", description = "Only list the history rows that differ from their files; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        Output output = root.output();
        RepairService.Result result = new RepairService(output::info, root.lockTimeout()).repair(
                new RepairService.Request(root.databasePath(), root.migrations(), dryRun), repairs -> {
                    output.info("history rows of " + root.databasePath() + " that differ from their files:\n" + listOf(repairs).stripTrailing());
                    return root.confirm("Record the files' checksums for " + repairs.size() + " migration(s)?");
                });
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MigrationEngine.Repair repair : result.repairs()) {
            rows.add(Output.doc().with("version", repair.applied().version().toString()).with("script", repair.file().fileName())
                    .with("recorded_checksum", repair.applied().checksum()).with("file_checksum", repair.checksum())
                    .with("recorded_description", repair.applied().description()).with("file_description", repair.file().description())
                    .with("edit", repair.checksumDiffers() ? repair.edit().name().toLowerCase() : null));
        }
        String text;
        if (result.repairs().isEmpty()) {
            text = "nothing to repair: every applied migration matches its file";
        } else if (dryRun) {
            text = listOf(result.repairs()) + "dry run: nothing was changed; `crystal-db repair` records the files' checksums";
        } else {
            text = "recorded the files' checksums for " + result.repairs().size() + " migration(s) in " + result.database()
                    + " (flyway_schema_history); no migration SQL was run";
        }
        output.result(Output.doc().with("database", result.database().toString()).with("dry_run", dryRun)
                .with("recorded", result.recorded()).with("repairs", rows), text);
        return ExitCode.OK.code;
    }

    private static String listOf(List<MigrationEngine.Repair> repairs) {
        StringBuilder text = new StringBuilder();
        for (MigrationEngine.Repair repair : repairs) {
            text.append("  ").append(repair.applied().version()).append("  ").append(repair.file().fileName()).append(": ");
            List<String> what = new ArrayList<>();
            if (repair.checksumDiffers()) {
                what.add("checksum " + repair.applied().checksum() + " -> " + repair.checksum() + switch (repair.edit()) {
                    case COMMENTS_ONLY -> " (only comments and whitespace changed)";
                    case STATEMENTS -> " (the SQL it runs changed: the database keeps what the old file did)";
                    case UNKNOWN -> " (whether only comments changed is not known)";
                });
            }
            if (repair.descriptionDiffers()) {
                what.add("description '" + repair.applied().description() + "' -> '" + repair.file().description() + "'");
            }
            text.append(String.join(", ", what)).append('\n');
        }
        return text.toString();
    }
}
