package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationRange;
import dev.crystaldb.migrate.MigrationScript;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What upgrade, downgrade, stamp and rehearse print alike: the SQL, the plan, what ran. */
final class ChangeSteps {
    private ChangeSteps() {
    }

    /** --dry-run: every script that would run, as written. */
    static String sqlOf(List<MigrationScript> scripts) {
        StringBuilder text = new StringBuilder();
        for (MigrationScript script : scripts) {
            text.append("-- ").append(script.file().fileName()).append('\n');
            String sql = script.file().sql().replace("\r\n", "\n");
            text.append(sql.endsWith("\n") ? sql : sql + "\n").append('\n');
        }
        return text.toString();
    }

    /** FROM:TO --dry-run: the SQL of a range, worked out from the migration set alone; without --dry-run a range is refused. */
    static int printRange(CrystalDbCommand root, String command, boolean dryRun, MigrationRange range) {
        String label = range.from().map(Version::toString).orElse("base") + ":" + range.to().map(Version::toString).orElse("base");
        if (!dryRun) {
            throw CrystalDbException.usage(command + " " + label + " only prints the SQL of a range: add --dry-run (to change a database, give one TARGET)");
        }
        String sql = sqlOf(range.scripts());
        root.output().result(Output.doc().with("from_version", range.from().map(Version::toString).orElse(null))
                .with("to_version", range.to().map(Version::toString).orElse(null)).with("dry_run", true)
                .with("scripts", range.scripts().stream().map(s -> s.file().fileName()).toList()).with("sql", sql), sql);
        return ExitCode.OK.code;
    }

    static String listOf(List<MigrationScript> scripts) {
        StringBuilder text = new StringBuilder();
        for (MigrationScript script : scripts) {
            text.append("  ").append(script.file().version()).append("  ").append(script.file().description())
                    .append("  (").append(script.file().fileName()).append(")\n");
        }
        return text.toString();
    }

    static Output.Doc document(String database, UpgradeResult result, Optional<BackupResult> backup, boolean dryRun) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (UpgradeResult.Step step : result.steps()) {
            steps.add(Output.doc().with("version", step.version().toString()).with("description", step.description())
                    .with("script", step.script()).with("execution_ms", step.millis()));
        }
        return Output.doc()
                .with("database", database)
                .with("from_version", result.from().map(Version::toString).orElse(null))
                .with("to_version", result.to().map(Version::toString).orElse(null))
                .with("dry_run", dryRun)
                .with("steps", steps)
                .with("total_ms", result.totalMillis())
                .with("backup", backup.map(b -> b.file().toString()).orElse(null));
    }

    static String text(String verb, UpgradeResult result) {
        return text(verb, result, "database is now at");
    }

    /** As text(verb, result), with what reached the version named in the last line (a rehearsal: "the copy reached"). */
    static String text(String verb, UpgradeResult result, String reached) {
        StringBuilder text = new StringBuilder();
        for (UpgradeResult.Step step : result.steps()) {
            text.append(verb).append(' ').append(step.version()).append("  ").append(step.description())
                    .append("  (").append(step.millis()).append(" ms)\n");
        }
        text.append(reached).append(" version ").append(result.to().map(Version::toString).orElse("base (none)"))
                .append(" (").append(result.steps().size()).append(" step(s), ").append(result.totalMillis()).append(" ms)\n");
        return text.toString();
    }
}
