package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationRange;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.UpgradeHold;
import dev.crystaldb.migrate.UpgradePlan;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.ops.UpgradeService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "upgrade", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, aliases = "migrate", description = "Apply pending migrations (to head, or to TARGET) as one all-or-nothing unit, after a backup.")
class UpgradeCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET",
            description = "A version, or head (default). With --dry-run also FROM:TO, a range printed without a database (e.g. 3:5, base:head).")
    String target;

    @Option(names = "--create", description = "Create the database file if it does not exist.")
    boolean create;

    @Option(names = "--dry-run", description = "Print the SQL that would run; change nothing.")
    boolean dryRun;

    @Option(names = "--no-backup", description = "Skip the automatic backup taken before changing the database.")
    boolean noBackup;

    @Option(names = "--rehearse", description = "First rehearse the upgrade on a scratch copy; apply for real only if that passed.")
    boolean rehearse;

    @Option(names = "--release-hold", description = "Apply the versions a rollback or downgrade held back (upgrade refuses them, exit 3, until then or until a release changes them).")
    boolean releaseHold;

    @Override
    public Integer call() {
        Output output = root.output();
        // a broken migration set is refused before the lock file is made
        MigrationSet migrations = root.migrations();
        if (MigrationRange.isRange(target)) {
            return ChangeSteps.printRange(root, "upgrade", dryRun, MigrationRange.upgrade(migrations, target));
        }
        Path file = root.databasePath();
        UpgradeService service = new UpgradeService(root.backupWriter(), output.progress(), output::info, root.lockTimeout());
        if (dryRun) {
            UpgradePlan plan = service.plan(file, create, migrations, target);
            List<Version> held = plan.state().heldPending(migrations);
            if (!held.isEmpty() && !releaseHold) {
                output.info("note: the upgrade is held (" + plan.state().hold().orElseThrow().reason() + "): without --release-hold, upgrade refuses "
                        + "to apply " + String.join(", ", held.stream().map(Version::toString).toList()) + " again (exit 3)");
            }
            String sql = ChangeSteps.sqlOf(plan.scripts());
            output.result(ChangeSteps.document(file.toString(), UpgradeResult.unchanged(plan.from()), Optional.empty(), true).with("sql", sql),
                    plan.nothingToDo() ? "nothing to apply: database is at version " + plan.from().map(Version::toString).orElse("none") : sql);
            return ExitCode.OK.code;
        }
        UpgradeService.Result result = service.upgrade(
                new UpgradeService.Request(file, migrations, target, create, !noBackup, rehearse, root.backupDirectory(file), releaseHold),
                plan -> {
                    output.info((plan.state().exists() ? "" : "creating " + file + "\n") + "to apply on " + file
                            + " (now at " + plan.from().map(Version::toString).orElse("no version") + "):\n" + ChangeSteps.listOf(plan.scripts()).stripTrailing());
                    return root.confirm("Apply " + plan.scripts().size() + " migration(s)?");
                });
        if (result.upgrade().steps().isEmpty()) {
            output.result(ChangeSteps.document(file.toString(), result.upgrade(), Optional.empty(), false)
                            .with("released_hold", result.releasedHold().map(UpgradeHold::versionList).orElse(null)),
                    "database is up to date at version " + result.upgrade().to().map(Version::toString).orElse("none")
                            + result.releasedHold().map(h -> "; upgrade hold released (versions " + h.versionList() + ")").orElse(""));
            return ExitCode.OK.code;
        }
        output.result(ChangeSteps.document(file.toString(), result.upgrade(), result.backup(), false)
                        .with("released_hold", result.releasedHold().map(UpgradeHold::versionList).orElse(null)),
                ChangeSteps.text("applied", result.upgrade()));
        return ExitCode.OK.code;
    }
}
