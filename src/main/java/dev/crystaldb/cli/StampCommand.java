package dev.crystaldb.cli;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.HistoryEntry;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaDetection;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.schema.SchemaFingerprint;
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

    @Option(names = "--force", description = "With --detect: stamp even when the database already has a history.")
    boolean force;

    @Option(names = "--drop-alembic-version", description = "Remove the alembic_version table after stamping.")
    boolean dropAlembicVersion;

    @Override
    public Integer call() {
        if (detect == (target != null)) {
            throw CrystalDbException.usage("give either a TARGET (a version, head or base) or --detect");
        }
        MigrationSet migrations = root.migrations();
        try (CrystalDbCommand.LockedDatabase locked = root.lockedDatabase(false)) {
            SqliteDatabase database = locked.database();
            MigrationEngine engine = new MigrationEngine(database, migrations);
            String version = detect ? detectedVersion(database, migrations, engine) : target;
            if (version == null) {
                return ExitCode.OK.code;
            }
            UpgradeResult result = engine.stamp(version, dropAlembicVersion);
            String now = result.to().map(Version::toString).orElse("base (none)");
            root.output().result(ChangeSteps.document(database.file().toString(), result, Optional.empty(), false)
                            .with("alembic_version_dropped", dropAlembicVersion),
                    "stamped " + database.file() + " at version " + now + " (was "
                            + result.from().map(Version::toString).orElse("none") + "); no SQL was run"
                            + (dropAlembicVersion ? "\nremoved the alembic_version table" : ""));
            return ExitCode.OK.code;
        }
    }

    /** The version to stamp, or null when there is nothing to stamp; refusals throw with exit 4. */
    private String detectedVersion(SqliteDatabase database, MigrationSet migrations, MigrationEngine engine) {
        Output output = root.output();
        DatabaseState state = engine.inspect();
        Optional<HistoryEntry> recorded = state.current();
        if (recorded.isPresent() && !force) {
            SchemaFingerprint expected = SchemaTimeline.at(migrations, recorded.get().version());
            List<String> drift = SchemaDetection.liveSchema(database).differencesFrom(expected);
            if (drift.isEmpty()) {
                output.result(Output.doc().with("recorded_version", recorded.get().version().toString()).with("matches", true),
                        "the database already records version " + recorded.get().version() + " and its schema matches it; nothing stamped");
                return null;
            }
            throw CrystalDbException.checkFailed("the database records version " + recorded.get().version()
                    + " but its schema differs (" + drift.get(0) + (drift.size() > 1 ? ", and " + (drift.size() - 1) + " more" : "")
                    + "); run `crystal-db verify` for all differences, or --force to stamp the detected version");
        }
        SchemaDetection.Result found = SchemaDetection.detect(database, migrations, state.alembicRevision());
        found.alembicMapped().ifPresent(v -> output.info("alembic_version " + found.alembicRevision().orElse("")
                + " maps to version " + v + (found.alembicConfirmed() ? ", and the schema confirms it" : ", but the schema does not match it")));
        Optional<SchemaTimeline.Point> decided = found.decided();
        if (decided.isPresent()) {
            if (decided.get().version().isEmpty()) {
                output.result(Output.doc().with("detected_version", null),
                        "the database has no tables of its own: nothing to stamp; run `crystal-db upgrade`");
                return null;
            }
            String version = decided.get().label();
            output.info("the live schema matches version " + version);
            List<String> equivalences = found.equivalencesTo(decided.get());
            if (!equivalences.isEmpty()) {
                output.info(equivalences.size() + " difference(s) in how the schema is written change nothing in SQLite (not drift):");
                equivalences.stream().limit(20).forEach(e -> output.info("  " + e));
                if (equivalences.size() > 20) {
                    output.info("  ... and " + (equivalences.size() - 20) + " more (`crystal-db verify` lists them all)");
                }
            }
            if (!root.confirm("Stamp " + database.file() + " at version " + version + "?")) {
                throw new CrystalDbException(ExitCode.FAILED, "cancelled: nothing was changed");
            }
            return version;
        }
        if (found.matches().size() > 1) {
            throw CrystalDbException.checkFailed("the live schema matches versions "
                    + String.join(", ", found.matches().stream().map(SchemaTimeline.Point::label).toList())
                    + " (they differ only in data); stamp the right one by hand: `crystal-db stamp VERSION`");
        }
        StringBuilder report = new StringBuilder("no version matches the live schema; the closest is " + found.closest().label() + ":\n");
        found.closestDifferences().forEach(d -> report.append("  ").append(d).append('\n'));
        root.output().info(report.toString().stripTrailing());
        throw CrystalDbException.checkFailed("no version matches the live schema (closest: " + found.closest().label() + ", "
                + found.closestDifferences().size() + " difference(s)); nothing was stamped");
    }
}
