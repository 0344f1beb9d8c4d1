package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.ops.BundleService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bundle", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Write a copy of this executable that carries the migration set (--migrations DIR): one file to copy to the server. "
                + "The set is linted first (undo scripts proven with the round trip); a set that fails is refused and nothing is written.")
class BundleCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The executable to write (mode 0755).")
    Path output;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The set's name, shown by --version, status and every command's first line (default: the directory's name).")
    String name;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() {
        Output out = root.output();
        MigrationSet migrations = root.migrationSet();
        BundleService.Result result = new BundleService(finding -> out.info(LintCommand.line(finding))).bundle(new BundleService.Request(migrations, name, output, force));
        out.result(Output.doc().with("output", result.output().toString()).with("bytes", result.bytes()).with("name", result.name())
                        .with("head", result.migrations().head().map(Object::toString).orElse(null))
                        .with("migrations", result.migrations().forwards().size()).with("sha256", result.migrations().sha256())
                        .with("round_trip", result.roundTrip()),
                "wrote " + result.output() + " (" + Sizes.human(result.bytes()) + "): bundled \"" + result.name() + "\", " + result.migrations().summary()
                        + "\nlinted" + (result.roundTrip() ? ", every undo script restores the schema before its migration" : "")
                        + "; copy it to the server and run it as crystal-db (it needs no --migrations there)");
        return ExitCode.OK.code;
    }
}
