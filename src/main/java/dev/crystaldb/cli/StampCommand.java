package dev.crystaldb.cli;

import dev.crystaldb.db.DatabaseLock;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "stamp", description = "Record TARGET as the current version without running any SQL.")
class StampCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(index = "0", paramLabel = "TARGET", description = "A version, head, or base (no version).")
    String target;

    @Override
    public Integer call() {
        SqliteDatabase database = root.existingDatabase();
        MigrationEngine engine = new MigrationEngine(database, root.migrations());
        try (DatabaseLock lock = root.lock(database.file())) {
            UpgradeResult result = engine.stamp(target);
            String now = result.to().map(Version::toString).orElse("base (none)");
            root.output().result(ChangeSteps.document(database.file().toString(), result, Optional.empty(), false),
                    "stamped " + database.file() + " at version " + now + " (was "
                            + result.from().map(Version::toString).orElse("none") + "); no SQL was run");
            return ExitCode.OK.code;
        }
    }
}
