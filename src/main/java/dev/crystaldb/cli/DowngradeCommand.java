package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.DowngradePlan;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationRange;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.MigrationScript;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

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
        if (dryRun) {
            SqliteDatabase database = root.existingDatabase();
            MigrationEngine engine = new MigrationEngine(database, migrations);
            DowngradePlan plan = engine.planDowngrade(target);
            String sql = ChangeSteps.sqlOf(scripts(plan));
            UpgradeResult none = UpgradeResult.unchanged(plan.from());
            output.result(ChangeSteps.document(database.file().toString(), none, Optional.empty(), true).with("sql", sql),
                    plan.nothingToDo() ? "nothing to undo: database is at version " + plan.from().map(Version::toString).orElse("none") : sql);
            return ExitCode.OK.code;
        }
        try (CrystalDbCommand.LockedDatabase locked = root.lockedDatabase(false)) {
            SqliteDatabase database = locked.database();
            MigrationEngine engine = new MigrationEngine(database, migrations, output.progress());
            DowngradePlan plan = engine.planDowngrade(target);
            if (plan.nothingToDo()) {
                UpgradeResult none = UpgradeResult.unchanged(plan.from());
                output.result(ChangeSteps.document(database.file().toString(), none, Optional.empty(), false),
                        "nothing to undo: database is at version " + plan.from().map(Version::toString).orElse("none"));
                return ExitCode.OK.code;
            }
            output.info("to undo on " + database.file() + " (now at " + plan.from().map(Version::toString).orElse("none")
                    + ", going to " + plan.target().map(Version::toString).orElse("base") + "):\n"
                    + ChangeSteps.listOf(scripts(plan)).stripTrailing());
            if (!root.confirm("Undo " + plan.undos().size() + " migration(s)? Data in what they remove is lost (a backup is taken first).")) {
                throw new CrystalDbException(ExitCode.FAILED, "cancelled: nothing was changed");
            }
            Optional<BackupResult> backup = ChangeSteps.backupFirst(root, database, noBackup, "pre-downgrade");
            UpgradeResult result = engine.downgrade(plan);
            output.result(ChangeSteps.document(database.file().toString(), result, backup, false), ChangeSteps.text("undid", result));
            return ExitCode.OK.code;
        }
    }

    private static List<MigrationScript> scripts(DowngradePlan plan) {
        return plan.undos().stream().map(DowngradePlan.Undo::script).toList();
    }
}
