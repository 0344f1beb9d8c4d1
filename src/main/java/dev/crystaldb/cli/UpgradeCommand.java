package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationRange;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.UpgradePlan;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.ops.RehearsalService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "upgrade", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Apply pending migrations (to head, or to TARGET) as one all-or-nothing unit, after a backup.")
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

    @Override
    public Integer call() {
        Output output = root.output();
        // a broken migration set is refused before the lock file is made
        MigrationSet migrations = root.migrations();
        if (MigrationRange.isRange(target)) {
            return ChangeSteps.printRange(root, "upgrade", dryRun, MigrationRange.upgrade(migrations, target));
        }
        if (dryRun) {
            SqliteDatabase database = root.database(create);
            UpgradePlan plan = new MigrationEngine(database, migrations).planUpgrade(target);
            UpgradeResult none = UpgradeResult.unchanged(plan.from());
            String sql = ChangeSteps.sqlOf(plan.scripts());
            output.result(ChangeSteps.document(database.file().toString(), none, Optional.empty(), true).with("sql", sql),
                    plan.nothingToDo() ? "nothing to apply: database is at version " + plan.from().map(Version::toString).orElse("none") : sql);
            return ExitCode.OK.code;
        }
        try (CrystalDbCommand.LockedDatabase locked = root.lockedDatabase(create)) {
            SqliteDatabase database = locked.database();
            MigrationEngine engine = new MigrationEngine(database, migrations, output.progress());
            UpgradePlan plan = engine.planUpgrade(target);
            if (plan.nothingToDo()) {
                UpgradeResult none = UpgradeResult.unchanged(plan.from());
                output.result(ChangeSteps.document(database.file().toString(), none, Optional.empty(), false),
                        "database is up to date at version " + plan.from().map(Version::toString).orElse("none"));
                return ExitCode.OK.code;
            }
            output.info((database.exists() ? "" : "creating " + database.file() + "\n") + "to apply on " + database.file()
                    + " (now at " + plan.from().map(Version::toString).orElse("no version") + "):\n" + ChangeSteps.listOf(plan.scripts()).stripTrailing());
            if (rehearse && database.exists()) {
                RehearsalService.Result rehearsal = RehearseCommand.rehearse(root, database, migrations, target);
                output.info("rehearsal passed: " + rehearsal.upgrade().steps().size() + " migration(s) in "
                        + rehearsal.upgrade().totalMillis() + " ms on the copy");
            }
            if (!root.confirm("Apply " + plan.scripts().size() + " migration(s)?")) {
                throw new CrystalDbException(ExitCode.FAILED, "cancelled: nothing was changed");
            }
            Optional<BackupResult> backup = ChangeSteps.backupFirst(root, database, noBackup, "pre-upgrade");
            UpgradeResult result = engine.upgrade(plan);
            output.result(ChangeSteps.document(database.file().toString(), result, backup, false), ChangeSteps.text("applied", result));
            return ExitCode.OK.code;
        }
    }
}
