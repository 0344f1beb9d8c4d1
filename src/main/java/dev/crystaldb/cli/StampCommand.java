package dev.crystaldb.cli;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.ops.StampService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

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

    @Option(names = "--force", description = "With --detect: stamp even when the database already has a history.")
    boolean force;

    @Option(names = "--drop-alembic-version", description = "Remove the alembic_version table after stamping.")
    boolean dropAlembicVersion;

    @Override
    public Integer call() {
        if (detect == (target != null)) {
            throw CrystalDbException.usage("give either a TARGET (a version, head or base) or --detect");
        }
        Output output = root.output();
        MigrationSet migrations = root.migrations();
        StampService.Result result = new StampService(output::info, root.lockTimeout()).stamp(
                new StampService.Request(root.databasePath(), migrations, target, detect, force, dropAlembicVersion),
                version -> root.confirm("Stamp " + root.databasePath() + " at version " + version + "?"));
        switch (result.outcome()) {
            case ALREADY_MATCHES -> output.result(Output.doc().with("recorded_version", result.recorded().get().toString()).with("matches", true),
                    "the database already records version " + result.recorded().get() + " and its schema matches it; nothing stamped");
            case NO_TABLES -> output.result(Output.doc().with("detected_version", null),
                    "the database has no tables of its own: nothing to stamp; run `crystal-db upgrade`");
            case STAMPED -> {
                UpgradeResult stamped = result.stamped().get();
                output.result(ChangeSteps.document(result.database().toString(), stamped, Optional.empty(), false)
                                .with("alembic_version_dropped", dropAlembicVersion),
                        "stamped " + result.database() + " at version " + stamped.to().map(Version::toString).orElse("base (none)") + " (was "
                                + stamped.from().map(Version::toString).orElse("none") + "); no SQL was run"
                                + (dropAlembicVersion ? "\nremoved the alembic_version table" : ""));
            }
        }
        return ExitCode.OK.code;
    }
}
