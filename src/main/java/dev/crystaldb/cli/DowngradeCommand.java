package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.DowngradePlan;
import dev.crystaldb.migrate.MigrationRange;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.MigrationScript;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.ops.DowngradeService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "downgrade", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Run the U (undo) scripts back to TARGET as one all-or-nothing unit, after a backup.")
class DowngradeCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(index = "0", paramLabel = "TARGET",
            description = "-N (N steps back), a version (which stays applied), or base. With --dry-run also FROM:TO, a range printed without a database (e.g. 5:3, head:base).")
    String target;

    @Option(names = "--dry-run", description = "Print the SQL that would run; change nothing.")
    boolean dryRun;

    @Option(names = "--no-backup", description = "Skip the automatic backup taken before changing the database.")
    boolean noBackup;

    @Override
    public Integer call() {
        Output output = root.output();
        // a broken migration set is refused before the lock file is made
        MigrationSet migrations = root.migrations();
        if (MigrationRange.isRange(target)) {
            return ChangeSteps.printRange(root, "downgrade", dryRun, MigrationRange.downgrade(migrations, target));
        }
        Path file = root.databasePath();
        DowngradeService service = new DowngradeService(root.backupWriter(), output.progress(), output::info, root.lockTimeout());
        if (dryRun) {
            DowngradePlan plan = service.plan(root.databasePath(), migrations, target);
            String sql = ChangeSteps.sqlOf(scripts(plan));
            output.result(ChangeSteps.document(file.toString(), UpgradeResult.unchanged(plan.from()), Optional.empty(), true).with("sql", sql),
                    plan.nothingToDo() ? "nothing to undo: database is at version " + plan.from().map(Version::toString).orElse("none") : sql);
            return ExitCode.OK.code;
        }
        DowngradeService.Result result = service.downgrade(
                new DowngradeService.Request(file, migrations, target, !noBackup, root.backupDirectory(file)),
                plan -> {
                    output.info("to undo on " + file + " (now at " + plan.from().map(Version::toString).orElse("none")
                            + ", going to " + plan.target().map(Version::toString).orElse("base") + "):\n"
                            + ChangeSteps.listOf(scripts(plan)).stripTrailing());
                    return root.confirm("Undo " + plan.undos().size() + " migration(s)? Data in what they remove is lost (a backup is taken first).");
                });
        if (result.downgrade().steps().isEmpty()) {
            output.result(ChangeSteps.document(file.toString(), result.downgrade(), Optional.empty(), false),
                    "nothing to undo: database is at version " + result.downgrade().from().map(Version::toString).orElse("none"));
            return ExitCode.OK.code;
        }
        output.result(ChangeSteps.document(file.toString(), result.downgrade(), result.backup(), false)
                        .with("hold", result.hold().map(HoldText::document).orElse(null)),
                ChangeSteps.text("undid", result.downgrade()).stripTrailing() + result.hold().map(h -> "\n" + HoldText.recorded(h)).orElse(""));
        return ExitCode.OK.code;
    }

    private static List<MigrationScript> scripts(DowngradePlan plan) {
        return plan.undos().stream().map(DowngradePlan.Undo::script).toList();
    }
}
