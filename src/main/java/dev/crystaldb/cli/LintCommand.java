package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationLinter;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.ops.LintService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "lint", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Check the migration set without a database: names, pairs, statements; --round-trip proves each undo script.")
class LintCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = "--round-trip", description = "Apply each migration, its undo and the migration again on a scratch database and compare schemas.")
    boolean roundTrip;

    @Option(names = "--strict", description = "Warnings fail too (exit 4).")
    boolean strict;

    @Override
    public Integer call() {
        MigrationSet migrations = root.migrationSet();
        List<MigrationLinter.Finding> findings = new LintService().lint(migrations, roundTrip);
        long errors = findings.stream().filter(f -> f.severity() == MigrationLinter.Severity.ERROR).count();
        long notes = findings.stream().filter(f -> f.severity() == MigrationLinter.Severity.NOTE).count();
        long warnings = findings.size() - errors - notes;
        StringBuilder text = new StringBuilder();
        findings.forEach(finding -> text.append(line(finding)).append('\n'));
        text.append(migrations.forwards().size()).append(" migration(s) in ").append(migrations.origin()).append(": ")
                .append(errors).append(" error(s), ").append(warnings).append(" warning(s)")
                .append(notes > 0 ? ", " + notes + " note(s)" : "")
                .append(roundTrip && errors == 0 ? "; every undo script restores the schema before its migration" : "").append('\n');
        List<Map<String, Object>> documents = findings.stream()
                .map(f -> (Map<String, Object>) Output.doc().with("severity", f.severity().name().toLowerCase()).with("message", f.message()))
                .toList();
        root.output().result(Output.doc().with("migrations", migrations.origin()).with("errors", errors).with("warnings", warnings)
                .with("notes", notes)
                .with("findings", documents), text.toString());
        boolean failed = errors > 0 || (strict && warnings > 0);
        return failed ? ExitCode.CHECK_FAILED.code : ExitCode.OK.code;
    }

    /** One finding as lint prints it (bundle too): its severity, then the message. */
    static String line(MigrationLinter.Finding finding) {
        return switch (finding.severity()) {
            case ERROR -> "error    ";
            case WARNING -> "warning  ";
            case NOTE -> "note     ";
        } + finding.message();
    }
}
