package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.InspectService;
import dev.crystaldb.migrate.AlembicVersion;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.HistoryEntry;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, aliases = "current", description = "Show the database's current version and what is pending.")
class StatusCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = "--check", description = "Exit 4 when migrations are pending or the history does not fit the set.")
    boolean check;

    @Override
    public Integer call() {
        InspectService.Status status = new InspectService(root.lockTimeout()).status(root.databasePath(), root.migrations());
        DatabaseState state = status.state();
        MigrationSet migrations = status.migrations();
        String problem = status.problem().orElse(null);
        HistoryEntry current = state.current().orElse(null);
        List<String> pending = state.pending().stream().map(e -> e.version().toString()).toList();

        Map<String, String> text = new LinkedHashMap<>();
        text.put("database", status.database().toString());
        text.put("current version", current == null ? "none (empty history)" : current.version() + " (" + current.description() + ")");
        text.put("applied", String.valueOf(state.applied().size()));
        text.put("pending", pending.isEmpty() ? "0" : pending.size() + " (" + String.join(", ", pending) + ")");
        text.put("migrations", migrations.origin() + ", " + migrations.summary());
        Optional<AlembicVersion> alembic = status.alembic();
        alembic.ifPresent(a -> text.put("alembic_version", a.describe(migrations.origin())));
        state.hold().ifPresent(hold -> text.put("upgrade hold", HoldText.standing(hold)));
        if (problem != null) {
            text.put("problem", problem);
        }
        root.output().result(Output.doc()
                .with("database", status.database().toString())
                .with("current_version", current == null ? null : current.version().toString())
                .with("current_description", current == null ? null : current.description())
                .with("applied_count", state.applied().size())
                .with("pending_count", pending.size())
                .with("pending", pending)
                .with("head", state.head().map(Version::toString).orElse(null))
                .with("migrations", migrations.origin())
                .with("migration_set", Output.doc().with("name", migrations.name()).with("source", migrations.source().name().toLowerCase(Locale.ROOT))
                        .with("count", migrations.forwards().size()).with("sha256", migrations.sha256()))
                .with("alembic_revision", state.alembicRevision().orElse(null))
                .with("alembic_version_state", alembic.map(a -> a.state().name().toLowerCase(Locale.ROOT)).orElse(null))
                .with("hold", state.hold().map(HoldText::document).orElse(null))
                .with("problem", problem), Output.fields(text));
        boolean failed = check && (!pending.isEmpty() || problem != null);
        return failed ? ExitCode.CHECK_FAILED.code : ExitCode.OK.code;
    }
}
