package dev.crystaldb.authoring;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A few rows in every table of a scratch database, so that trying and proving a migration shows
 * what existing rows do to it (a NOT NULL column added, a CHECK, a table rebuilt and copied) and
 * that rebuilt tables keep them. Values follow each column's type; foreign keys point at the
 * parent's sample rows, and rows that still break a foreign key are removed.
 */
final class SampleRows {
    private static final int PER_TABLE = 2;

    private SampleRows() {
    }

    /**
     * Fills every ordinary table: a first row with a value in every column, a second with values
     * only where they are required (NULL and defaults elsewhere), except in the columns that are
     * NOT NULL without a default in the schema wanted, since the proof is not about rows that
     * cannot exist there. Returns the tables left empty (a CHECK or UNIQUE the values do not meet).
     */
    static List<String> fill(Connection connection, SchemaObjects schema, SchemaObjects wanted, Renames renames) throws SQLException {
        List<SchemaObjects.Table> tables = parentsFirst(schema);
        for (SchemaObjects.Table table : tables) {
            SchemaObjects.Table after = wanted.tables().get(SchemaObjects.key(renames.tableAfter(table.name())));
            Set<String> valued = new LinkedHashSet<>();
            for (SchemaObjects.Column column : table.columns()) {
                boolean required = after != null && after.column(renames.columnAfter(table.name(), column.name()))
                        .filter(c -> c.notNull() && c.defaultValue() == null).isPresent();
                if (required) {
                    valued.add(column.name());
                }
            }
            for (int row = 1; row <= PER_TABLE; row++) {
                boolean sparse = row == PER_TABLE;
                if (!inserted(connection, table, values(connection, schema, table, row, sparse, valued))) {
                    inserted(connection, table, values(connection, schema, table, row, !sparse, valued));
                }
            }
        }
        removeForeignKeyViolations(connection);
        List<String> empty = new ArrayList<>();
        for (SchemaObjects.Table table : tables) {
            if (snapshot(connection, table).isEmpty()) {
                empty.add(table.name());
            }
        }
        return empty;
    }

    /** The rows of one table, each as column (lower case) to value text. */
    static List<Map<String, String>> snapshot(Connection connection, SchemaObjects.Table table) throws SQLException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT * FROM " + SqlTokens.quote(table.name()))) {
            int count = result.getMetaData().getColumnCount();
            while (result.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= count; i++) {
                    row.put(SchemaObjects.key(result.getMetaData().getColumnName(i)), result.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static boolean inserted(Connection connection, SchemaObjects.Table table, Map<String, String> values) {
        String sql = values.isEmpty() ? "INSERT INTO " + SqlTokens.quote(table.name()) + " DEFAULT VALUES"
                : "INSERT INTO " + SqlTokens.quote(table.name()) + " (" + String.join(", ", values.keySet().stream().map(SqlTokens::quote).toList())
                + ") VALUES (" + String.join(", ", values.values()) + ")";
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
            return true;
        } catch (SQLException e) {
            return false; // a constraint the sample values do not meet: try fewer values, or leave the row out
        }
    }

    /** SQL literals for one row; required only: just the columns that must have a value, here or in valued. */
    private static Map<String, String> values(Connection connection, SchemaObjects schema, SchemaObjects.Table table, int row, boolean requiredOnly,
            Set<String> valued) throws SQLException {
        Map<String, String> values = new LinkedHashMap<>();
        for (SchemaObjects.Column column : table.columns()) {
            if (!column.takesValues()) {
                continue;
            }
            SchemaObjects.ForeignKey key = table.foreignKeys().stream()
                    .filter(k -> k.columns().stream().anyMatch(c -> c.equalsIgnoreCase(column.name()))).findFirst().orElse(null);
            if (key != null) {
                String parentValue = parentValue(connection, schema, key, column.name(), row);
                if (parentValue != null) {
                    values.put(column.name(), parentValue);
                }
                continue;
            }
            boolean required = column.notNull() && column.defaultValue() == null || valued.contains(column.name());
            if (table.isRowidAlias(column)) {
                values.put(column.name(), String.valueOf(row));
            } else if (required || !requiredOnly) {
                values.put(column.name(), valueFor(column.type(), row));
            }
        }
        return values;
    }

    /** A value by SQLite's affinity rules for the declared type (https://sqlite.org/datatype3.html), with dates where the type says so. */
    private static String valueFor(String declaredType, int row) {
        String type = declaredType.toUpperCase(Locale.ROOT);
        if (type.contains("INT")) {
            return String.valueOf(row);
        }
        if (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT") || type.contains("BLOB") || type.isEmpty()) {
            return SqlTokens.literal("v" + row);
        }
        if (type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB")) {
            return row + ".5";
        }
        if (type.contains("BOOL")) {
            return String.valueOf(row % 2);
        }
        if (type.contains("DATETIME") || type.contains("TIMESTAMP")) {
            return SqlTokens.literal("2026-01-0" + row + " 12:00:00");
        }
        if (type.contains("DATE")) {
            return SqlTokens.literal("2026-01-0" + row);
        }
        if (type.contains("TIME")) {
            return SqlTokens.literal("12:00:0" + row);
        }
        return String.valueOf(row);
    }

    /** The value the parent's sample row number `row` has in the column a foreign key points at, as a literal; null when there is none. */
    private static String parentValue(Connection connection, SchemaObjects schema, SchemaObjects.ForeignKey key, String column, int row)
            throws SQLException {
        SchemaObjects.Table parent = schema.tables().get(SchemaObjects.key(key.parent()));
        if (parent == null) {
            return null;
        }
        int position = 0;
        while (!key.columns().get(position).equalsIgnoreCase(column)) {
            position++;
        }
        String parentColumn;
        if (!key.parentColumns().isEmpty()) {
            parentColumn = key.parentColumns().get(position);
        } else {
            List<SchemaObjects.Column> primaryKey = parent.columns().stream().filter(c -> c.primaryKeyPosition() > 0)
                    .sorted((a, b) -> Integer.compare(a.primaryKeyPosition(), b.primaryKeyPosition())).toList();
            parentColumn = primaryKey.isEmpty() ? "rowid" : primaryKey.get(Math.min(position, primaryKey.size() - 1)).name();
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT quote(" + SqlTokens.quote(parentColumn) + ") FROM "
                + SqlTokens.quote(parent.name()) + " LIMIT 1 OFFSET ?")) {
            statement.setInt(1, row - 1);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        } catch (SQLException e) {
            return null; // the key names a column the parent does not have: the row goes without it
        }
    }

    private static void removeForeignKeyViolations(Connection connection) throws SQLException {
        for (int round = 0; round < 10; round++) {
            List<String> deletes = new ArrayList<>();
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("PRAGMA foreign_key_check")) {
                while (rows.next()) {
                    String table = SqlTokens.quote(rows.getString(1));
                    String rowid = rows.getString(2);
                    deletes.add(rowid == null ? "DELETE FROM " + table : "DELETE FROM " + table + " WHERE rowid = " + rowid);
                }
            }
            if (deletes.isEmpty()) {
                return;
            }
            try (Statement statement = connection.createStatement()) {
                for (String delete : new LinkedHashSet<>(deletes)) {
                    statement.execute(delete);
                }
            }
        }
    }

    private static List<SchemaObjects.Table> parentsFirst(SchemaObjects schema) {
        Set<String> placed = new LinkedHashSet<>();
        for (String name : schema.tables().keySet()) {
            place(schema, name, placed, new LinkedHashSet<>());
        }
        return placed.stream().map(schema.tables()::get).filter(t -> !t.isVirtual()).toList();
    }

    private static void place(SchemaObjects schema, String name, Set<String> placed, Set<String> visiting) {
        SchemaObjects.Table table = schema.tables().get(name);
        if (table == null || placed.contains(name) || !visiting.add(name)) {
            return; // unknown, done, or a cycle of NOT NULL keys: its rows get what is there
        }
        for (SchemaObjects.ForeignKey key : table.foreignKeys()) {
            // a nullable key can wait for its parent (NULL, or the parent's row if it came first): that is how cycles are broken
            boolean required = key.columns().stream().anyMatch(c -> table.column(c).map(SchemaObjects.Column::notNull).orElse(false));
            if (required) {
                place(schema, SchemaObjects.key(key.parent()), placed, visiting);
            }
        }
        placed.add(name);
    }
}
