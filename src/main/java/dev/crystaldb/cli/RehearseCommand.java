package dev.crystaldb.cli;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.RehearsalService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "rehearse", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Apply the pending migrations to a scratch copy with every check, report, delete the copy; the database is not touched.")
class RehearseCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "A version, or head (default).")
    String target;

    @Override
    public Integer call() {
        SqliteDatabase database = root.readDatabase();
        RehearsalService.Result result = new RehearsalService(root.backupWriter(), root.output().progress(), root.output()::info)
                .rehearse(database, root.migrations(), root.backupDirectory(database.file()), target);
        root.output().result(ChangeSteps.document(database.file().toString(), result.upgrade(), Optional.empty(), true)
                        .with("rehearsal", true).with("copy_ms", result.copyMillis()),
                ChangeSteps.text("rehearsed", result.upgrade()).replace("database is now at", "the copy reached")
                        + "rehearsal passed; " + database.file() + " was not changed");
        return ExitCode.OK.code;
    }
}
