package dev.crystaldb.cli;

import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.HistoryEntry;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.InspectService;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "history", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, aliases = "info", description = "List every known migration: version, description, state, applied on, time, undo.")
class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Override
    public Integer call() {
        InspectService.History history = new InspectService(root.lockTimeout()).history(root.databasePath(), root.migrations());
        DatabaseState state = history.state();
        List<Version> held = history.held();
        List<List<String>> rows = new ArrayList<>();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (HistoryEntry entry : state.entries()) {
            boolean isHeld = held.contains(entry.version());
            String status = entry.status().label + (isHeld ? ", held" : "") + (entry.fileChanged() ? ", file changed" : "");
            rows.add(List.of(entry.version().toString(), entry.description(), status,
                    entry.appliedOn() == null ? "" : entry.appliedOn().toString().replace('T', ' ').replaceFirst("\\.\\d+Z$", "Z"),
                    entry.executionMillis() == null ? "" : entry.executionMillis() + " ms",
                    entry.undoAvailable() ? "yes" : "no"));
            documents.add(Output.doc()
                    .with("version", entry.version().toString())
                    .with("description", entry.description())
                    .with("state", entry.status().label)
                    .with("held", isHeld)
                    .with("file_changed", entry.fileChanged())
                    .with("script", entry.script())
                    .with("applied_on", entry.appliedOn() == null ? null : entry.appliedOn().toString())
                    .with("execution_ms", entry.executionMillis())
                    .with("installed_by", entry.installedBy())
                    .with("undo_available", entry.undoAvailable()));
        }
        String text = rows.isEmpty() ? "no migrations known\n"
                : Output.table(List.of("VERSION", "DESCRIPTION", "STATE", "APPLIED ON (UTC)", "TIME", "UNDO"), rows);
        if (state.hold().isPresent()) {
            text += "upgrade hold: " + HoldText.standing(state.hold().get()) + "\n";
        }
        root.output().result(Output.doc().with("migrations", documents).with("hold", state.hold().map(HoldText::document).orElse(null)), text);
        return ExitCode.OK.code;
    }
}
