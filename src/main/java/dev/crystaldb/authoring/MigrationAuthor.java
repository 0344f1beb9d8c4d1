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
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `new DESCRIPTION --from SCHEMA`: writes the next V/U pair from the schema wanted. The schema at
 * the newest migration is compared with SCHEMA through the schema fingerprint; the forward and undo
 * scripts are planned on a scratch database with sample rows, then proven on a fresh one
 * ({@link PairProof}) before either file is written.
 */
public final class MigrationAuthor {
    /**
     * What was done: the files written (none when SCHEMA is the schema already), the changes,
     * warnings and notes for the operator, and the data the forward script drops ("column
     * users.nick", "table sessions"), which only --allow-data-loss lets it write.
     */
    public record Result(String from, List<Path> written, List<String> changes, List<String> warnings, List<String> notes, int sampleRows,
                         List<String> dataLoss) {
        public boolean nothingToDo() {
            return written.isEmpty();
        }
    }

    private final MigrationScaffold scaffold;

    public MigrationAuthor(MigrationScaffold scaffold) {
        this.scaffold = scaffold;
    }

    /**
     * Writes the pair; a forward script that would drop a table or a column (values lost, a rename
     * perhaps meant) is refused, exit 2 and nothing written, unless allowDataLoss.
     */
    public Result write(Path directory, String description, Path schemaFile, Renames renames, boolean allowDataLoss) {
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
            requireRenamesFit(directory, migrations, before, renames);
            if (wanted.fingerprint().differencesFrom(beforeSchema).isEmpty()) {
                return new Result(from, List.of(), List.of(), List.of(), List.of(), 0, List.of());
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
            List<String> dataLoss = forward.losses().stream().map(MigrationPlanner.Loss::what).toList();
            String schemaName = schemaFile.getFileName().toString();
            String header = "-- Runs inside crystal-db's transaction: foreign keys are off while it runs, and\n"
                    + "-- PRAGMA foreign_key_check must pass before it commits.\n";
            String forwardSql = "-- " + description + "\n"
                    + "-- Written by crystal-db new --from " + schemaName + ": turns the schema of " + from + " into the schema of " + schemaName + ".\n"
                    + "-- Proven on a scratch database with sample rows before it was written: it gives that schema,\n"
                    + "-- " + undoName + " gives the one before back, and the tables keep their rows.\n"
                    + (dataLoss.isEmpty() ? "" : "-- It drops " + String.join(", ", dataLoss) + " with their data (written with --allow-data-loss).\n")
                    + header + render(forward);
            String undoSql = "-- Undo of V" + pair.version() + ": turns the schema of " + schemaName + " back into the schema of " + from + ".\n"
                    + header + render(undo);
            int rows = PairProof.prove(migrations, MigrationFile.parse(forwardName, forwardSql), MigrationFile.parse(undoName, undoSql),
                    new PairProof.Sides(before, beforeSchema, wanted.objects(), wanted.fingerprint(), renames));
            // last, so a pair that cannot be written at all is refused for that (exit 4), not for want of --allow-data-loss
            if (!allowDataLoss && !forward.losses().isEmpty()) {
                throw dataLoss(forwardName, forward.losses());
            }
            List<Path> written = scaffold.write(pair, forwardSql, undoSql);
            List<String> warnings = new ArrayList<>(forward.warnings());
            warnings.addAll(forward.cautions());
            warnings.addAll(undo.cautions());
            return new Result(from, written, forward.steps().stream().map(MigrationPlanner.Step::summary).toList(), warnings, notes, rows, dataLoss);
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot work out the migration on a scratch database: " + e.getMessage(), e);
        }
    }

    /**
     * The refusal of a lossy forward script: what it drops, the --rename that keeps the data where
     * a name added beside a drop looks like its rename, and where one was only added beside it, the
     * --rename to use if it is one.
     */
    private static CrystalDbException dataLoss(String script, List<MigrationPlanner.Loss> losses) {
        List<String> drops = new ArrayList<>();
        for (MigrationPlanner.Loss loss : losses) {
            String likely = loss.likely() ? " (" + (loss.column().isPresent() ? loss.table() + "." : "table ") + loss.rename().orElseThrow()
                    + ", added beside it, looks like it renamed)" : "";
            drops.add(loss.what() + (loss.column().isPresent() ? " and its values" : " and its rows") + likely);
        }
        String them = losses.size() > 1 ? "them" : "it";
        List<String> likely = losses.stream().filter(MigrationPlanner.Loss::likely).flatMap(loss -> loss.renameOption().stream()).toList();
        List<String> possible = losses.stream().filter(loss -> !loss.likely()).flatMap(loss -> loss.renameOption().stream()).toList();
        String fix = likely.isEmpty() ? "run again with --allow-data-loss to drop " + them
                : "run again with " + String.join(" ", likely) + " to keep the data, or with --allow-data-loss to drop " + them;
        if (!possible.isEmpty()) {
            fix += " (or with " + String.join(" ", possible) + (possible.size() > 1 ? " where those are renames)" : " if that is a rename)");
        }
        return CrystalDbException.usage(script + " would drop " + String.join(", ", drops) + "; nothing was written: " + fix);
    }

    /**
     * Every --rename names a table or column the newest migration's schema has. One the newest
     * migration already dropped is most likely the rename an earlier run wrote as a drop plus an
     * add: that pair is named, to be deleted before the rename can be written.
     */
    private static void requireRenamesFit(Path directory, MigrationSet migrations, SchemaObjects head, Renames renames) {
        renames.tables().forEach((from, to) -> {
            if (!head.tables().containsKey(SchemaObjects.key(from))) {
                String spec = "--rename " + from + "=" + to;
                throw alreadyDropped(directory, migrations, spec, "table " + from, previous -> previous.tables().containsKey(SchemaObjects.key(from)))
                        .orElseGet(() -> CrystalDbException.usage(spec + ": there is no table " + from + " to rename"));
            }
        });
        renames.columns().forEach((column, to) -> {
            SchemaObjects.Table table = head.tables().get(SchemaObjects.key(column.table()));
            if (table == null || table.column(column.name()).isEmpty()) {
                String spec = "--rename " + column.table() + "." + column.name() + "=" + to;
                throw alreadyDropped(directory, migrations, spec, "column " + column.table() + "." + column.name(), previous -> {
                    SchemaFingerprint.Table was = previous.tables().get(SchemaObjects.key(column.table()));
                    return was != null && was.columns().stream().anyMatch(c -> c.name().equalsIgnoreCase(column.name()));
                }).orElseGet(() -> CrystalDbException.usage(spec + ": there is no column " + column.table() + "." + column.name() + " to rename"));
            }
        });
    }

    private static Optional<CrystalDbException> alreadyDropped(Path directory, MigrationSet migrations, String spec, String what,
            Predicate<SchemaFingerprint> hadIt) {
        List<MigrationFile> forwards = migrations.forwards();
        if (forwards.size() < 2 || !hadIt.test(SchemaTimeline.at(migrations, forwards.get(forwards.size() - 2).version()))) {
            return Optional.empty();
        }
        MigrationFile newest = forwards.get(forwards.size() - 1);
        List<String> files = new ArrayList<>(List.of(directory.resolve(newest.fileName()).toString()));
        migrations.undo(newest.version()).ifPresent(undo -> files.add(directory.resolve(undo.fileName()).toString()));
        boolean ours = newest.sql().contains("-- Written by crystal-db new --from");
        return Optional.of(CrystalDbException.usage(spec + ": " + newest.fileName() + ", the newest migration"
                + (ours ? " (written by an earlier run of new --from)" : "") + ", already drops " + what + "; nothing was written: "
                + "if no database has applied version " + newest.version() + " yet, delete " + String.join(" and ", files) + " and run again"
                + (ours ? "" : " (or change it by hand)")));
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
