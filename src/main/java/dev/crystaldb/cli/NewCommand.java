package dev.crystaldb.cli;

import dev.crystaldb.authoring.MigrationAuthor;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.NewMigrationService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "new", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Create the next V/U migration pair in the --migrations DIR (or CRYSTAL_DB_MIGRATIONS): a template to fill in, "
                + "or with --from the SQL that turns the newest migration's schema into SCHEMA and back, proven on a scratch database first.")
class NewCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Parameters(paramLabel = "DESCRIPTION", arity = "1..*", description = "What the migration does, e.g. add avatar url to users.")
    List<String> words;

    @Option(names = "--from", paramLabel = "SCHEMA",
            description = "The schema wanted: a .sql file of CREATE statements or an SQLite database (opened read-only), e.g. the dev database the app's models made.")
    Path schema;

    @Option(names = "--rename", paramLabel = "OLD=NEW",
            description = "With --from: TABLE.OLD=NEW renames a column of TABLE, OLD=NEW a table, keeping their data (a rename cannot be told from a drop plus an add). Repeatable.")
    List<String> renames = new ArrayList<>();

    @Option(names = "--allow-data-loss",
            description = "With --from: write the pair even though it drops a table or column with its data (refused otherwise, exit 2: a rename is written with --rename).")
    boolean allowDataLoss;

    @Override
    public Integer call() {
        Path directory = root.writableMigrationDirectory("new");
        String description = String.join(" ", words);
        NewMigrationService service = new NewMigrationService();
        Output output = root.output();
        if (schema == null) {
            if (!renames.isEmpty() || allowDataLoss) {
                throw CrystalDbException.usage((allowDataLoss ? "--allow-data-loss" : "--rename") + " works with --from SCHEMA only");
            }
            List<Path> created = service.template(directory, description);
            output.result(Output.doc().with("created", created.stream().map(Path::toString).toList()),
                    "created " + created.get(0) + "\ncreated " + created.get(1) + "\nwrite the SQL of both, then delete their '-- crystal-db: not written yet' line");
            return ExitCode.OK.code;
        }
        MigrationAuthor.Result result = service.fromSchema(directory, description, schema, renames, allowDataLoss);
        result.notes().forEach(output::info);
        result.warnings().forEach(output::warning);
        Output.Doc document = Output.doc().with("from", result.from()).with("schema", schema.toString())
                .with("created", result.written().stream().map(Path::toString).toList()).with("changes", result.changes())
                .with("warnings", result.warnings()).with("data_loss", result.dataLoss());
        if (result.nothingToDo()) {
            output.result(document, "no difference: " + schema + " has the schema of " + result.from() + "; nothing written");
            return ExitCode.OK.code;
        }
        StringBuilder text = new StringBuilder("from " + result.from() + " to " + schema + ":\n");
        result.changes().forEach(change -> text.append("  ").append(change).append('\n'));
        result.written().forEach(file -> text.append("created ").append(file).append('\n'));
        text.append("proven on a scratch database with ").append(result.sampleRows()).append(" sample row(s): ")
                .append(result.written().get(0).getFileName()).append(" gives the schema of ").append(schema.getFileName()).append(", ")
                .append(result.written().get(1).getFileName()).append(" gives ").append(result.from()).append(" back, and the rows are kept")
                .append(result.dataLoss().isEmpty() ? "" : " but for the data of " + String.join(", ", result.dataLoss()) + " (dropped: --allow-data-loss)");
        output.result(document, text.toString());
        return ExitCode.OK.code;
    }
}
