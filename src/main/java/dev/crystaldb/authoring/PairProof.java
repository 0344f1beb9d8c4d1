package dev.crystaldb.authoring;

import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.MigrationFile;
import dev.crystaldb.migrate.MigrationScript;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves a written pair before it is saved, on a scratch database at the newest migration filled
 * with sample rows, running each file as crystal-db's unit does (its statements prepared as for an
 * upgrade, one transaction, PRAGMA foreign_key_check before the commit): the forward script gives
 * the schema wanted and the undo the schema before, both by the schema fingerprint, and every
 * table that survives the change keeps its rows and the values of the columns that survive.
 */
final class PairProof {
    /** The two schemas and their objects, with the renames between them. */
    record Sides(SchemaObjects before, SchemaFingerprint beforeSchema, SchemaObjects after, SchemaFingerprint afterSchema, Renames renames) {
    }

    private PairProof() {
    }

    /** Throws (exit 4, naming what failed) unless the pair holds; returns the number of sample rows it carried through. */
    static int prove(MigrationSet migrations, MigrationFile forward, MigrationFile undo, Sides sides) {
        SchemaReader reader = new SchemaReader();
        try (Connection scratch = SchemaTimeline.inMemory()) {
            SchemaTimeline.replay(scratch, migrations);
            SampleRows.fill(scratch, sides.before(), sides.after(), sides.renames());
            Map<String, List<Map<String, String>>> original = rows(scratch, sides.before());
            runAsUnit(scratch, forward);
            requireSame(reader.read(scratch), sides.afterSchema(), forward.fileName() + " does not give the schema wanted");
            Map<String, List<Map<String, String>>> forwarded = rows(scratch, sides.after());
            requireKept(original, forwarded, sides.before(), sides.after(), sides.renames(), forward.fileName());
            runAsUnit(scratch, undo);
            requireSame(reader.read(scratch), sides.beforeSchema(), undo.fileName() + " does not give the schema before back");
            Map<String, List<Map<String, String>>> undone = rows(scratch, sides.before());
            requireKept(forwarded, undone, sides.after(), sides.before(), sides.renames().reversed(), undo.fileName());
            return original.values().stream().mapToInt(List::size).sum();
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot open a scratch database to prove the migration: " + e.getMessage(), e);
        }
    }

    private static void runAsUnit(Connection scratch, MigrationFile file) throws SQLException {
        MigrationScript script = MigrationScript.prepare(file).requireRunnable();
        scratch.setAutoCommit(false);
        try {
            script.runOn(scratch, (where, e) -> MigrationAuthor.cannot(where + " fails on a scratch database with sample rows: " + SqliteFailure.sqliteMessage(e)));
            List<String> broken = SqliteQueries.foreignKeyProblems(scratch);
            if (!broken.isEmpty()) {
                throw MigrationAuthor.cannot(file.fileName() + " leaves rows that break a foreign key on a scratch database with sample rows (" + broken.get(0)
                        + "); existing rows would have to be fixed first");
            }
            scratch.commit();
        } catch (RuntimeException | SQLException e) {
            scratch.rollback();
            throw e;
        } finally {
            scratch.setAutoCommit(true);
        }
    }

    private static void requireSame(SchemaFingerprint actual, SchemaFingerprint expected, String what) {
        List<String> differences = actual.differencesFrom(expected);
        if (!differences.isEmpty()) {
            throw MigrationAuthor.cannot(what + ": " + differences.get(0) + (differences.size() > 1 ? " (and " + (differences.size() - 1) + " more)" : ""));
        }
    }

    private static Map<String, List<Map<String, String>>> rows(Connection scratch, SchemaObjects schema) throws SQLException {
        Map<String, List<Map<String, String>>> rows = new LinkedHashMap<>();
        for (SchemaObjects.Table table : schema.tables().values()) {
            if (!table.isVirtual()) {
                rows.put(SchemaObjects.key(table.name()), SampleRows.snapshot(scratch, table));
            }
        }
        return rows;
    }

    /** Every table on both sides has as many rows after as before, with the same values in the columns both sides have. */
    private static void requireKept(Map<String, List<Map<String, String>>> before, Map<String, List<Map<String, String>>> after,
            SchemaObjects from, SchemaObjects to, Renames renames, String script) {
        for (SchemaObjects.Table table : from.tables().values()) {
            String renamed = SchemaObjects.key(renames.tableAfter(table.name()));
            SchemaObjects.Table target = to.tables().get(renamed);
            if (target == null || table.isVirtual() || target.isVirtual()) {
                continue;
            }
            Map<String, String> columns = new LinkedHashMap<>();
            for (SchemaObjects.Column column : table.columns()) {
                String name = renames.columnAfter(table.name(), column.name());
                // a column made NOT NULL with a default takes the default where it held NULL: that change is the point
                target.column(name).filter(c -> c.takesValues() && column.takesValues())
                        .filter(c -> !(c.notNull() && c.defaultValue() != null && !column.notNull()))
                        .ifPresent(c -> columns.put(SchemaObjects.key(column.name()), SchemaObjects.key(c.name())));
            }
            List<String> had = project(before.get(SchemaObjects.key(table.name())), new ArrayList<>(columns.keySet()));
            List<String> has = project(after.get(renamed), new ArrayList<>(columns.values()));
            if (had.size() != has.size()) {
                throw MigrationAuthor.cannot(script + " does not keep the rows of " + target.name() + " on a scratch database: " + had.size() + " sample row(s) before, "
                        + has.size() + " after");
            }
            if (!had.equals(has)) {
                throw MigrationAuthor.cannot(script + " changes the values in " + target.name() + " on a scratch database: " + had + " became " + has);
            }
        }
    }

    private static List<String> project(List<Map<String, String>> rows, List<String> columns) {
        List<String> projected = new ArrayList<>();
        for (Map<String, String> row : rows) {
            projected.add(String.join("|", columns.stream().map(c -> String.valueOf(row.get(c))).toList()));
        }
        projected.sort(null);
        return projected;
    }

}
