package dev.crystaldb.cli;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.ops.StampService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "stamp", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Record TARGET as the current version without running any SQL; --detect works TARGET out from the live schema.")
class StampCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "A version, head, or base (no version).")
    String target;

    @Option(names = "--detect", description = "Find the version whose schema equals the live one (Alembic's revision first, if any) and stamp it.")
    boolean detect;

    @Option(names = "--force", description = "With a TARGET: stamp it even when the live schema is not TARGET's. With --detect: stamp even when the database already has a history (one another migration set wrote too).")
    boolean force;

    @Option(names = "--drop-alembic-version", description = "Remove the alembic_version table after stamping (also on a database stamped before).")
    boolean dropAlembicVersion;

    @Option(names = "--dry-run", description = "Report what would be stamped; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        if (detect == (target != null)) {
            throw CrystalDbException.usage("give either a TARGET (a version, head or base) or --detect");
        }
        StampService.Result result = new StampService(root.output()::info, root.lockTimeout()).stamp(
                new StampService.Request(root.databasePath(), root.migrations(), target, detect, force, dropAlembicVersion, dryRun),
                version -> root.confirm("Stamp " + root.databasePath() + " at version " + version + "?"));
        result.forcedPast().ifPresent(root.output()::warning);
        String file = result.database().toString();
        boolean dropped = result.alembicVersionDropped();
        Output.Doc document = switch (result.outcome()) {
            case STAMPED -> ChangeSteps.document(file, result.stamped().get(), Optional.empty(), false);
            case ALREADY_MATCHES -> Output.doc().with("recorded_version", label(result.to())).with("matches", true);
            case NO_TABLES -> Output.doc().with("detected_version", null);
            case WOULD_STAMP -> Output.doc().with("database", file).with("from_version", result.from().map(Version::toString).orElse(null))
                    .with("to_version", result.to().map(Version::toString).orElse(null)).with("dry_run", true);
        };
        String text = switch (result.outcome()) {
            case NO_TABLES -> "the database has no tables of its own: nothing to stamp; run `crystal-db upgrade`";
            case ALREADY_MATCHES -> "the database already records version " + label(result.to()) + " and its schema matches it; nothing stamped"
                    + (dropped ? (dryRun ? "\nwould remove the alembic_version table" : "\nremoved the alembic_version table") : "");
            case WOULD_STAMP -> "would stamp " + file + " at version " + label(result.to()) + " (now at "
                    + result.from().map(Version::toString).orElse("no version") + ")" + (dropped ? " and remove the alembic_version table" : "")
                    + "\n" + pending(result.pending(), "would then be") + "dry run: nothing was changed";
            case STAMPED -> "stamped " + file + " at version " + label(result.to()) + " (was " + result.from().map(Version::toString).orElse("none")
                    + "); no SQL was run\n" + (dropped ? "removed the alembic_version table\n" : "") + pending(result.pending(), "are");
        };
        root.output().result(document.with("outcome", result.outcome().name().toLowerCase())
                .with("pending", result.pending().stream().map(Version::toString).toList())
                .with("alembic_version_dropped", dropped && !dryRun)
                .with("forced_past_schema_check", result.forcedPast().isPresent()), text);
        return ExitCode.OK.code;
    }

    private static String label(Optional<Version> version) {
        return version.map(Version::toString).orElse("base (none)");
    }

    /** What to run next. */
    private static String pending(List<Version> pending, String verb) {
        if (pending.isEmpty()) {
            return "nothing is pending: that is the newest migration\n";
        }
        return pending.size() + " migration(s) " + verb + " pending (" + String.join(", ", pending.stream().map(Version::toString).toList())
                + "): next, `crystal-db upgrade --rehearse` rehearses them on a copy, then applies them\n";
    }
}
