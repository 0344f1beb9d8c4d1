package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationScaffold;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "new", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Create the next V/U migration pair in migrations/ (or --migrations DIR).")
class NewCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(paramLabel = "DESCRIPTION", arity = "1..*", description = "What the migration does, e.g. add avatar url to users.")
    List<String> words;

    @Override
    public Integer call() {
        Path directory = root.migrationsDirectory != null ? root.migrationsDirectory : Path.of("migrations");
        List<Path> created = new MigrationScaffold(Clock.systemUTC()).create(directory, String.join(" ", words));
        root.output().result(Output.doc().with("created", created.stream().map(Path::toString).toList()),
                "created " + created.get(0) + "\ncreated " + created.get(1));
        return ExitCode.OK.code;
    }
}
