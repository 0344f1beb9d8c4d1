package dev.crystaldb.cli;


import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.RehearsalService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
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
        Path file = root.databasePath();
        RehearsalService.Result result = new RehearsalService(root.backupWriter(), root.output().progress(), root.output()::info, root.lockTimeout())
                .rehearse(file, root.migrations(), root.backupDirectory(file), target);
        root.output().result(ChangeSteps.document(result.database().toString(), result.upgrade(), Optional.empty(), true)
                        .with("rehearsal", true).with("copy_ms", result.copyMillis()),
                ChangeSteps.text("rehearsed", result.upgrade(), "the copy reached")
                        + "rehearsal passed; " + result.database() + " was not changed");
        return ExitCode.OK.code;
    }
}
