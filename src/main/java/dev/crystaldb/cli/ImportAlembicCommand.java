package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.AlembicImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import-alembic", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Convert an Alembic history into V/U migration files holding the SQL Alembic runs on SQLite, proven against Alembic's own databases.")
class ImportAlembicCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = "--config", required = true, paramLabel = "PATH", description = "The project's alembic.ini (its script_location holds the revisions).")
    Path config;

    @Option(names = "--python", defaultValue = "python3", paramLabel = "PYTHON",
            description = "The Python that runs the app's Alembic, e.g. .venv/bin/python (default: ${DEFAULT-VALUE}).")
    String python;

    @Override
    public Integer call() {
        Path directory = root.writableMigrationDirectory("import-alembic");
        AlembicImport.Result result = new AlembicImport(root.output().progress()).run(new AlembicImport.Request(config, python, directory));
        result.warnings().forEach(w -> root.output().info("warning: " + w));
        List<List<String>> rows = new ArrayList<>();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (AlembicImport.Imported revision : result.revisions()) {
            String undo = revision.undo().map(u -> u.getFileName().toString()).orElse("(" + revision.undoNote() + ")");
            rows.add(List.of(revision.written() ? "written" : "kept", revision.forward().getFileName().toString(), undo, revision.revision()));
            documents.add(Output.doc().with("revision", revision.revision()).with("title", revision.title())
                    .with("version", revision.version().toString()).with("forward", revision.forward().toString())
                    .with("undo", revision.undo().map(Path::toString).orElse(null)).with("undo_note", revision.undoNote().isEmpty() ? null : revision.undoNote())
                    .with("written", revision.written()));
        }
        AlembicImport.Proof proof = result.proof();
        int written = result.written().size();
        StringBuilder text = new StringBuilder(written == 0
                ? "nothing to import: the " + result.revisions().size() + " revision(s) up to " + proof.head() + " are in " + result.migrations() + " already\n"
                : "imported " + written + " Alembic revision(s) of " + result.config() + " into " + result.migrations() + ":\n");
        text.append(Output.table(List.of("FILES", "FORWARD", "UNDO", "ALEMBIC REVISION"), rows).indent(2));
        text.append("proof (").append(result.versions()).append("):\n")
                .append("  upgrade: the files applied to an empty database give the schema of `alembic upgrade head` (").append(proof.head()).append(")\n")
                .append("  undo: each of the ").append(proof.undos()).append(" U file(s) gives the schema of `alembic downgrade -1` at its revision\n")
                .append("  stamp --detect: a database Alembic made at each of the ").append(proof.detections())
                .append(" revision(s) is found at that revision's version\n");
        proof.notes().forEach(n -> text.append("  note: ").append(n).append('\n'));
        if (written > 0) {
            text.append("next: crystal-db --migrations ").append(directory).append(" lint --round-trip, then crystal-db bundle --migrations ")
                    .append(directory).append(" -o FILE to ship them in one executable\n");
        }
        root.output().result(Output.doc().with("config", result.config().toString()).with("migrations", result.migrations().toString())
                .with("revisions", documents).with("warnings", result.warnings())
                .with("proof", Output.doc().with("head", proof.head()).with("upgrade", true).with("undos", proof.undos())
                        .with("detections", proof.detections()).with("notes", proof.notes())), text.toString());
        return ExitCode.OK.code;
    }
}
