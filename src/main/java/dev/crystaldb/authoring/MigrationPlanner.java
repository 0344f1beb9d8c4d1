package dev.crystaldb.authoring;

import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.schema.Affinity;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;
import dev.crystaldb.schema.SqlText;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Works out the statements that turn the schema of a scratch database into a target schema, and
 * runs each on that database as it goes (with the sample rows in it), so that every choice is made
 * on the real state: tables created and dropped; ALTER TABLE ADD, DROP and RENAME COLUMN where
 * SQLite allows them, which SQLite itself is asked by trying them; otherwise SQLite's documented
 * table rebuild (https://sqlite.org/lang_altertable.html#otheralter). Whether a table still differs
 * is the schema fingerprint's verdict.
 */
final class MigrationPlanner {
    /** One change: what it does (for the operator and the file's comment), more comment lines, its statements. */
    record Step(String summary, List<String> comments, List<String> statements) {
    }

    /**
     * The steps; warnings about the data they drop or renames they cannot see (the mirror image of
     * the other direction's, so an undo's are not shown); cautions about rows that would make the
     * script fail; the tables rebuilt; and the data the forward script drops.
     */
    record Plan(List<Step> steps, List<String> warnings, List<String> cautions, Set<String> rebuilt, List<Loss> losses) {
    }

    /**
     * Data a forward script drops: a table and its rows, or a column and its values. rename: a
     * table or column (of the same table, of a type that can hold its values) added beside it;
     * likely when its name also looks like the one dropped renamed.
     */
    record Loss(String table, Optional<String> column, Optional<String> rename, boolean likely) {
        /** "column users.nick" or "table sessions". */
        String what() {
            return column.map(c -> "column " + table + "." + c).orElse("table " + table);
        }

        /** The --rename that keeps the data if rename is what it is. */
        Optional<String> renameOption() {
            return rename.map(to -> "--rename " + column.map(c -> table + "." + c).orElse(table) + "=" + to);
        }
    }

    private final Connection scratch;
    private final String script;
    private final boolean undo;
    private final SchemaReader reader = new SchemaReader();
    private final List<Step> steps = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> cautions = new ArrayList<>();
    private final Set<String> rebuilt = new LinkedHashSet<>();
    private final List<Loss> losses = new ArrayList<>();
    private boolean viewsDropped;

    /** script: the file being planned, as messages name it; undo: whether it is the undo of the change. */
    MigrationPlanner(Connection scratch, String script, boolean undo) {
        this.scratch = scratch;
        this.script = script;
        this.undo = undo;
    }

    Plan plan(SchemaObjects target, SchemaFingerprint targetSchema, Renames renames) throws SQLException {
        renameFirst(SchemaObjects.read(scratch), target, renames);
        SchemaObjects current = SchemaObjects.read(scratch);
        SchemaFingerprint currentSchema = reader.read(scratch);
        dropChanged("view", current.views(), target.views());
        dropChanged("trigger", current.triggers(), target.triggers());

        List<SchemaObjects.Table> added = target.tables().values().stream().filter(t -> !current.tables().containsKey(key(t))).toList();
        List<SchemaObjects.Table> dropped = current.tables().values().stream().filter(t -> !target.tables().containsKey(key(t))).toList();
        String renameNote = null;
        if (!added.isEmpty() && !dropped.isEmpty()) {
            String from = dropped.get(0).name();
            String to = added.get(0).name();
            renameNote = "table " + names(dropped) + " dropped and " + names(added) + " created: a rename cannot be told from the two schemas, "
                    + "so it is written as a drop plus a create (the rows of " + from + " are lost); if " + to + " is " + from
                    + " renamed, run again with --rename " + from + "=" + to;
            warn(renameNote);
        }
        for (SchemaObjects.Table table : added) {
            List<String> statements = new ArrayList<>(List.of(table.sql()));
            target.indexesOf(table.name()).forEach(index -> statements.add(index.sql()));
            run(new Step("create table " + table.name(), renameNote == null ? List.of() : List.of(renameNote), statements));
        }
        for (SchemaObjects.Table wanted : target.tables().values()) {
            SchemaObjects.Table table = current.tables().get(key(wanted));
            if (table != null && !differences(currentSchema, targetSchema, key(wanted)).isEmpty()) {
                change(current, table, target, wanted, targetSchema);
            }
        }
        for (SchemaObjects.Table table : dropped) {
            Optional<String> likely = added.stream().filter(t -> looksRenamed(table, t)).map(SchemaObjects.Table::name).findFirst();
            lose(new Loss(table.name(), Optional.empty(), likely.or(() -> added.stream().map(SchemaObjects.Table::name).findFirst()), likely.isPresent()));
            warn(script + " drops table " + table.name() + " and its rows (the undo creates it again, empty)");
            run(new Step("drop table " + table.name(), List.of(), List.of("DROP TABLE " + quote(table.name()))));
        }
        SchemaObjects now = SchemaObjects.read(scratch);
        for (SchemaObjects.Item trigger : target.triggers().values()) {
            if (!now.triggers().containsKey(SchemaObjects.key(trigger.name()))) {
                run(new Step("create trigger " + trigger.name() + " on " + trigger.table(), List.of(), List.of(trigger.sql())));
            }
        }
        for (SchemaObjects.Item view : target.views().values()) {
            if (!now.views().containsKey(SchemaObjects.key(view.name()))) {
                run(new Step("create view " + view.name(), List.of(), List.of(view.sql())));
            }
        }
        List<String> left = reader.read(scratch).differencesFrom(targetSchema);
        if (!left.isEmpty()) {
            throw MigrationAuthor.cannot("crystal-db cannot write SQL for this difference: " + left.get(0));
        }
        return new Plan(List.copyOf(steps), List.copyOf(warnings), List.copyOf(cautions), Set.copyOf(rebuilt), List.copyOf(losses));
    }

    private void renameFirst(SchemaObjects current, SchemaObjects target, Renames renames) {
        renames.tables().forEach((from, to) -> {
            requireRename(current.tables().containsKey(SchemaObjects.key(from)), "--rename " + from + "=" + to + ": there is no table " + from + " to rename");
            requireRename(target.tables().containsKey(SchemaObjects.key(to)), "--rename " + from + "=" + to + ": the new schema has no table " + to);
            run(new Step("rename table " + from + " to " + to, List.of(), List.of("ALTER TABLE " + quote(from) + " RENAME TO " + quote(to))));
        });
        renames.columns().forEach((column, to) -> {
            String spec = "--rename " + column.table() + "." + column.name() + "=" + to;
            SchemaObjects.Table table = current.tables().get(SchemaObjects.key(column.table()));
            requireRename(table != null && table.column(column.name()).isPresent(), spec + ": there is no column " + column.table() + "." + column.name() + " to rename");
            String tableAfter = renames.tableAfter(column.table());
            SchemaObjects.Table wanted = target.tables().get(SchemaObjects.key(tableAfter));
            requireRename(wanted != null && wanted.column(to).isPresent(), spec + ": the new schema has no column " + tableAfter + "." + to);
            run(new Step("rename column " + tableAfter + "." + column.name() + " to " + to, List.of(),
                    List.of("ALTER TABLE " + quote(tableAfter) + " RENAME COLUMN " + quote(column.name()) + " TO " + quote(to))));
        });
    }

    private static void requireRename(boolean holds, String message) {
        if (!holds) {
            throw CrystalDbException.usage(message);
        }
    }

    /** Views and triggers that go or change are dropped before any table changes (SQLite checks them when tables are renamed). */
    private void dropChanged(String type, Map<String, SchemaObjects.Item> current, Map<String, SchemaObjects.Item> target) {
        for (SchemaObjects.Item item : current.values()) {
            SchemaObjects.Item wanted = target.get(SchemaObjects.key(item.name()));
            if (wanted == null || !Objects.equals(SqlText.normalize(item.sql()), SqlText.normalize(wanted.sql()))) {
                if (wanted == null) {
                    warn(script + " drops " + type + " " + item.name() + ", which the new schema does not have (models that create_all makes carry no "
                            + type + " unless a DDL event creates it)");
                }
                run(new Step("drop " + type + " " + item.name(), List.of(), List.of("DROP " + type.toUpperCase(Locale.ROOT) + " " + quote(item.name()))));
            }
        }
    }

    private void change(SchemaObjects current, SchemaObjects.Table table, SchemaObjects target, SchemaObjects.Table wanted, SchemaFingerprint targetSchema)
            throws SQLException {
        if (table.isVirtual() || wanted.isVirtual()) {
            throw MigrationAuthor.cannot("virtual table " + wanted.name() + " changes, and crystal-db does not rebuild virtual tables");
        }
        for (SchemaObjects.Column column : wanted.columns()) {
            boolean isNew = table.column(column.name()).isEmpty();
            if (isNew && column.takesValues() && column.notNull() && column.defaultValue() == null && !wanted.isRowidAlias(column)) {
                throw MigrationAuthor.cannot(undo
                        ? script + " cannot put column " + wanted.name() + "." + column.name() + " back: it is NOT NULL without a DEFAULT, so the rows "
                                + wanted.name() + " keeps cannot take it, and dropping it cannot be undone automatically; give it a DEFAULT in a migration first"
                        : "column " + wanted.name() + "." + column.name() + " is NOT NULL without a DEFAULT, so the rows " + wanted.name()
                                + " already has cannot take it; give it a DEFAULT in SCHEMA (or add it nullable, fill it, then make it NOT NULL in a later migration)");
            }
        }
        List<String> droppedColumns = table.columns().stream().map(SchemaObjects.Column::name).filter(c -> wanted.column(c).isEmpty()).toList();
        List<String> addedColumns = wanted.columns().stream().map(SchemaObjects.Column::name).filter(c -> table.column(c).isEmpty()).toList();
        List<String> comments = new ArrayList<>();
        if (!droppedColumns.isEmpty() && !addedColumns.isEmpty()) {
            String from = droppedColumns.get(0);
            String to = addedColumns.get(0);
            String note = "table " + wanted.name() + ": column " + String.join(", ", droppedColumns) + " dropped and " + String.join(", ", addedColumns)
                    + " added: a rename cannot be told from the two schemas, so it is written as a drop plus an add (the values of " + from
                    + " are lost); if " + to + " is " + from + " renamed, run again with --rename " + table.name() + "." + from + "=" + to;
            warn(note);
            comments.add(note);
        }
        for (String column : droppedColumns) {
            SchemaObjects.Column gone = table.column(column).orElseThrow();
            List<SchemaObjects.Column> fitting = addedColumns.stream().map(c -> wanted.column(c).orElseThrow()).filter(c -> compatible(gone, c)).toList();
            Optional<String> likely = fitting.stream().filter(c -> Renames.looksRenamed(column, c.name()))
                    .min(Comparator.comparingInt(c -> Renames.editDistance(column.toLowerCase(Locale.ROOT), c.name().toLowerCase(Locale.ROOT))))
                    .map(SchemaObjects.Column::name);
            if (gone.takesValues()) {
                lose(new Loss(wanted.name(), Optional.of(column), likely.or(() -> fitting.stream().map(SchemaObjects.Column::name).findFirst()),
                        likely.isPresent()));
            }
        }
        if (!droppedColumns.isEmpty()) {
            warn(script + " drops column" + (droppedColumns.size() > 1 ? "s " : " ") + String.join(", ", droppedColumns.stream()
                    .map(c -> wanted.name() + "." + c).toList()) + " and the values in it (the undo adds it back, empty)");
        }
        Optional<InPlace> inPlace = inPlace(current, table, target, wanted, droppedColumns, addedColumns, targetSchema);
        if (inPlace.isPresent()) {
            steps.add(new Step("table " + wanted.name() + ": " + String.join(", ", inPlace.get().what()), comments, inPlace.get().statements()));
            return;
        }
        rebuild(table, wanted, target, targetSchema, comments);
    }

    /**
     * The ALTER TABLE statements (and index changes) that make the table what is wanted, tried on
     * the scratch database inside a savepoint: kept when SQLite takes them and the table then is
     * what is wanted, rolled back (empty) otherwise.
     */
    private record InPlace(List<String> what, List<String> statements) {
    }

    private Optional<InPlace> inPlace(SchemaObjects current, SchemaObjects.Table table, SchemaObjects target, SchemaObjects.Table wanted,
            List<String> droppedColumns, List<String> addedColumns, SchemaFingerprint targetSchema) throws SQLException {
        List<String> kept = table.columns().stream().map(c -> SchemaObjects.key(c.name()))
                .filter(c -> droppedColumns.stream().noneMatch(d -> d.equalsIgnoreCase(c))).toList();
        List<String> layout = new ArrayList<>(kept);
        addedColumns.forEach(c -> layout.add(SchemaObjects.key(c)));
        if (!layout.equals(wanted.columns().stream().map(c -> SchemaObjects.key(c.name())).toList())) {
            return Optional.empty(); // ADD COLUMN only appends: another order needs a rebuild
        }
        List<String> statements = new ArrayList<>();
        List<String> what = new ArrayList<>();
        List<SchemaObjects.Item> wantedIndexes = target.indexesOf(wanted.name());
        for (SchemaObjects.Item index : current.indexesOf(table.name())) {
            if (wantedIndexes.stream().noneMatch(w -> sameSql(w, index))) {
                statements.add("DROP INDEX " + quote(index.name()));
                what.add("drop index " + index.name());
            }
        }
        for (String column : droppedColumns) {
            statements.add("ALTER TABLE " + quote(wanted.name()) + " DROP COLUMN " + quote(column));
            what.add("drop column " + column);
        }
        for (String column : addedColumns) {
            Optional<String> definition = wanted.definition().flatMap(d -> d.column(column));
            if (definition.isEmpty()) {
                return Optional.empty();
            }
            statements.add("ALTER TABLE " + quote(wanted.name()) + " ADD COLUMN " + definition.get());
            what.add("add column " + column);
        }
        List<SchemaObjects.Item> currentIndexes = current.indexesOf(table.name());
        for (SchemaObjects.Item index : wantedIndexes) {
            if (currentIndexes.stream().noneMatch(c -> sameSql(c, index))) {
                statements.add(index.sql());
                what.add("create index " + index.name());
            }
        }
        execute("SAVEPOINT crystal_db_in_place");
        try (Statement statement = scratch.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
            if (differences(reader.read(scratch), targetSchema, key(wanted)).isEmpty()) {
                execute("RELEASE crystal_db_in_place");
                return Optional.of(new InPlace(what, statements));
            }
        } catch (SQLException e) {
            // SQLite refuses it in place (an indexed, UNIQUE or referenced column, a non-constant default...): rebuild instead
        }
        execute("ROLLBACK TO crystal_db_in_place");
        execute("RELEASE crystal_db_in_place");
        return Optional.empty();
    }

    /** SQLite's twelve steps: the unit has foreign keys off and checks them before it commits; views go first and come back at the end. */
    private void rebuild(SchemaObjects.Table table, SchemaObjects.Table wanted, SchemaObjects target, SchemaFingerprint targetSchema, List<String> notes)
            throws SQLException {
        SchemaObjects current = SchemaObjects.read(scratch);
        if (!viewsDropped && !current.views().isEmpty()) {
            run(new Step("drop the views, created again at the end", List.of("SQLite checks every view when a table is renamed"),
                    current.views().values().stream().map(v -> "DROP VIEW " + quote(v.name())).toList()));
        }
        viewsDropped = true;
        for (SchemaObjects.Item trigger : current.triggers().values()) {
            if (!trigger.table().equalsIgnoreCase(table.name()) && SqlTokens.mentions(trigger.sql(), table.name())) {
                run(new Step("drop trigger " + trigger.name() + " (it refers to " + table.name() + "), created again at the end", List.of(),
                        List.of("DROP TRIGGER " + quote(trigger.name()))));
            }
        }
        List<String> comments = new ArrayList<>(notes);
        List<String> why = differences(reader.read(scratch), targetSchema, key(wanted));
        comments.add("ALTER TABLE cannot make this change in place, so the table is rebuilt as SQLite documents: new table, copy the rows, drop, rename;");
        comments.add("its indexes and triggers are created again. How the table differs from the one wanted:");
        why.stream().limit(5).forEach(d -> comments.add("  " + d));
        String temporary = temporaryName(current, target, wanted.name());
        List<String> targets = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (SchemaObjects.Column column : wanted.columns()) {
            Optional<SchemaObjects.Column> source = table.column(column.name()).filter(SchemaObjects.Column::takesValues);
            if (!column.takesValues() || source.isEmpty()) {
                continue;
            }
            targets.add(quote(column.name()));
            boolean tightened = column.notNull() && !source.get().notNull() && !wanted.isRowidAlias(column);
            if (tightened && column.defaultValue() != null) {
                // the copy names every column, so NULL would reach the NOT NULL column instead of its default
                sources.add("coalesce(" + quote(column.name()) + ", " + column.defaultValue() + ")");
                comments.add("NULL in " + wanted.name() + "." + column.name() + " becomes its default " + column.defaultValue() + ": the column is NOT NULL now");
            } else {
                sources.add(quote(column.name()));
                if (tightened) {
                    String caution = wanted.name() + "." + column.name() + " becomes NOT NULL without a DEFAULT: " + script
                            + " fails (and changes nothing) where a row holds NULL in it; give those rows a value first (crystal-db rehearse on a copy of production shows it)";
                    cautions.add(caution);
                    comments.add(caution);
                }
            }
        }
        List<String> statements = new ArrayList<>();
        statements.add(wanted.definition().orElseThrow().named(temporary));
        if (targets.isEmpty()) {
            cautions.add(script + " keeps no rows of " + wanted.name() + ": it has no column in common with the new layout");
        } else {
            statements.add("INSERT INTO " + quote(temporary) + " (" + String.join(", ", targets) + ")\n    SELECT " + String.join(", ", sources)
                    + " FROM " + quote(table.name()));
        }
        if (table.definition().orElseThrow().autoincrement() && wanted.definition().orElseThrow().autoincrement()) {
            // AUTOINCREMENT keeps its sequence, so ids of deleted rows are not handed out again
            statements.add("DELETE FROM sqlite_sequence WHERE name = " + SqlTokens.literal(temporary));
            statements.add("UPDATE sqlite_sequence SET name = " + SqlTokens.literal(temporary) + " WHERE name = " + SqlTokens.literal(table.name()));
        }
        statements.add("DROP TABLE " + quote(table.name()));
        statements.add("ALTER TABLE " + quote(temporary) + " RENAME TO " + quote(wanted.name()));
        target.indexesOf(wanted.name()).forEach(index -> statements.add(index.sql()));
        run(new Step("rebuild table " + wanted.name(), comments, statements));
        rebuilt.add(wanted.name());
    }

    private static String temporaryName(SchemaObjects current, SchemaObjects target, String table) {
        String name = "new_" + table;
        for (int n = 2; current.tables().containsKey(SchemaObjects.key(name)) || target.tables().containsKey(SchemaObjects.key(name)); n++) {
            name = "new" + n + "_" + table;
        }
        return name;
    }

    /** The fingerprint's differences of one table (columns, indexes, foreign keys, options): empty when SQLite means the same. */
    private static List<String> differences(SchemaFingerprint actual, SchemaFingerprint expected, String table) {
        SchemaFingerprint.Table have = actual.tables().get(table);
        SchemaFingerprint.Table want = expected.tables().get(table);
        return only(table, have).differencesFrom(only(table, want));
    }

    private static SchemaFingerprint only(String table, SchemaFingerprint.Table fingerprint) {
        return SchemaFingerprint.of(fingerprint == null ? Map.of() : Map.of(table, fingerprint), Map.of(), Map.of());
    }

    private static boolean sameSql(SchemaObjects.Item a, SchemaObjects.Item b) {
        return a.name().equalsIgnoreCase(b.name()) && Objects.equals(SqlText.normalize(a.sql()), SqlText.normalize(b.sql()));
    }

    private void run(Step step) {
        for (String sql : step.statements()) {
            try (Statement statement = scratch.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw MigrationAuthor.cannot(script + " fails on a scratch database with sample rows at `" + firstLine(sql) + "`: " + SqliteFailure.sqliteMessage(e));
            }
        }
        steps.add(step);
    }

    /** A table that went and one that came are likely one renamed: names alike, or the same column names. */
    private static boolean looksRenamed(SchemaObjects.Table gone, SchemaObjects.Table come) {
        return Renames.looksRenamed(gone.name(), come.name()) || columnNames(gone).equals(columnNames(come));
    }

    private static Set<String> columnNames(SchemaObjects.Table table) {
        return Set.copyOf(table.columns().stream().map(c -> SchemaObjects.key(c.name())).toList());
    }

    /** Whether a renamed column could hold the values of the one it was: the same affinity, or numbers both. */
    private static boolean compatible(SchemaObjects.Column gone, SchemaObjects.Column come) {
        Affinity before = Affinity.of(gone.type());
        Affinity after = Affinity.of(come.type());
        Set<Affinity> numbers = Set.of(Affinity.INTEGER, Affinity.REAL, Affinity.NUMERIC);
        return before == after || numbers.contains(before) && numbers.contains(after);
    }

    /** Only the forward script's losses need the operator's word; the undo's (what the change adds, dropped again) are what a downgrade is. */
    private void lose(Loss loss) {
        if (!undo) {
            losses.add(loss);
        }
    }

    /** Data dropped and renames not seen are the forward script's news; its undo's are their mirror image. */
    private void warn(String warning) {
        if (!undo) {
            warnings.add(warning);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement statement = scratch.createStatement()) {
            statement.execute(sql);
        }
    }


    private static String firstLine(String sql) {
        String line = sql.strip().lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    private static String key(SchemaObjects.Table table) {
        return SchemaObjects.key(table.name());
    }

    private static String names(List<SchemaObjects.Table> tables) {
        return String.join(", ", tables.stream().map(SchemaObjects.Table::name).toList());
    }

    private static String quote(String name) {
        return SqlTokens.quote(name);
    }
}
