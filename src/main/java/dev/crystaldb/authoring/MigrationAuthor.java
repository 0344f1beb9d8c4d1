package dev.crystaldb.authoring;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.MigrationFile;
import dev.crystaldb.migrate.MigrationScaffold;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * `new DESCRIPTION --from SCHEMA`: writes the next V/U pair from the schema wanted. The schema at
 * the newest migration is compared with SCHEMA through the schema fingerprint; the forward and undo
 * scripts are planned on a scratch database with sample rows, then proven on a fresh one
 * ({@link PairProof}) before either file is written.
 */
public final class MigrationAuthor {
    /** What was done: the files written (none when SCHEMA is the schema already), the changes, warnings and notes for the operator. */
    public record Result(String from, List<Path> written, List<String> changes, List<String> warnings, List<String> notes, int sampleRows) {
        public boolean nothingToDo() {
            return written.isEmpty();
        }
    }

    private final MigrationScaffold scaffold;

    public MigrationAuthor(MigrationScaffold scaffold) {
        this.scaffold = scaffold;
    }

    public Result write(Path directory, String description, Path schemaFile, Renames renames) {
        MigrationScaffold.NextPair pair = scaffold.next(directory, description);
        MigrationSet migrations = pair.migrations();
        requireWritten(migrations);
        String from = migrations.head().map(v -> "version " + v).orElse("the empty schema (no migrations yet)");
        SchemaSource.Schema wanted = SchemaSource.read(schemaFile);
        SchemaReader reader = new SchemaReader();
        try (Connection scratch = SchemaTimeline.inMemory()) {
            SchemaTimeline.replay(scratch, migrations);
            SchemaObjects before = SchemaObjects.read(scratch);
            SchemaFingerprint beforeSchema = reader.read(scratch);
            if (wanted.fingerprint().differencesFrom(beforeSchema).isEmpty()) {
                return new Result(from, List.of(), List.of(), List.of(), List.of(), 0);
            }
            List<String> notes = new ArrayList<>();
            List<String> empty = SampleRows.fill(scratch, before, wanted.objects(), renames);
            if (!empty.isEmpty()) {
                notes.add("no sample row fits " + String.join(", ", empty) + " (CHECK or UNIQUE constraints the sample values do not meet): "
                        + (empty.size() > 1 ? "those tables were" : "that table was") + " empty in the proof");
            }
            String forwardName = pair.forward().getFileName().toString();
            String undoName = pair.undo().getFileName().toString();
            MigrationPlanner.Plan forward = new MigrationPlanner(scratch, forwardName, false).plan(wanted.objects(), wanted.fingerprint(), renames);
            MigrationPlanner.Plan undo = new MigrationPlanner(scratch, undoName, true).plan(before, beforeSchema, renames.reversed());
            String schemaName = schemaFile.getFileName().toString();
            String header = "-- Runs inside crystal-db's transaction: foreign keys are off while it runs, and\n"
                    + "-- PRAGMA foreign_key_check must pass before it commits.\n";
            String forwardSql = "-- " + description + "\n"
                    + "-- Written by crystal-db new --from " + schemaName + ": turns the schema of " + from + " into the schema of " + schemaName + ".\n"
                    + "-- Proven on a scratch database with sample rows before it was written: it gives that schema,\n"
                    + "-- " + undoName + " gives the one before back, and the tables keep their rows.\n"
                    + header + render(forward);
            String undoSql = "-- Undo of V" + pair.version() + ": turns the schema of " + schemaName + " back into the schema of " + from + ".\n"
                    + header + render(undo);
            int rows = PairProof.prove(migrations, MigrationFile.parse(forwardName, forwardSql), MigrationFile.parse(undoName, undoSql),
                    new PairProof.Sides(before, beforeSchema, wanted.objects(), wanted.fingerprint(), renames));
            List<Path> written = scaffold.write(pair, forwardSql, undoSql);
            List<String> warnings = new ArrayList<>(forward.warnings());
            warnings.addAll(forward.cautions());
            warnings.addAll(undo.cautions());
            return new Result(from, written, forward.steps().stream().map(MigrationPlanner.Step::summary).toList(), warnings, notes, rows);
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot work out the migration on a scratch database: " + e.getMessage(), e);
        }
    }

    /** A template still to be written would be compared as if empty, and its changes would land in the new migration too. */
    private static void requireWritten(MigrationSet migrations) {
        for (MigrationFile forward : migrations.forwards()) {
            if (migrations.script(forward).unwritten().isPresent()) {
                throw CrystalDbException.usage(forward.fileName() + " is still the template crystal-db new wrote: write it (or delete it) first, "
                        + "so the new migration does not take in what it is meant to do");
            }
        }
    }

    private static String render(MigrationPlanner.Plan plan) {
        StringBuilder sql = new StringBuilder();
        for (MigrationPlanner.Step step : plan.steps()) {
            sql.append("\n-- ").append(step.summary()).append('\n');
            step.comments().forEach(c -> sql.append("-- ").append(c).append('\n'));
            step.statements().forEach(s -> sql.append(s.strip()).append(";\n"));
        }
        return sql.toString();
    }

    /** The one-line refusal when a change cannot be written or proven: exit 4, nothing written. */
    static CrystalDbException cannot(String why) {
        return CrystalDbException.checkFailed("cannot write this migration: " + why + "; nothing was written (write it by hand: crystal-db new DESCRIPTION)");
    }
}
