package dev.crystaldb.authoring;

import dev.crystaldb.schema.SchemaReader;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The objects of a schema as SQLite keeps them, to write SQL from: every table, index, view and
 * trigger with its SQL, in the order they were created, keyed by lower-case name (SQLite's names
 * are case-insensitive). The objects the schema fingerprint leaves out are left out here too;
 * comparing is the fingerprint's job, not this.
 */
record SchemaObjects(Map<String, Table> tables, Map<String, Item> indexes, Map<String, Item> triggers, Map<String, Item> views) {

    /** A column as PRAGMA table_xinfo reports it. */
    record Column(String name, String type, boolean notNull, String defaultValue, int primaryKeyPosition, int hidden) {
        /** Generated columns (hidden 2 and 3) take no values; hidden 1 are a virtual table's. */
        boolean takesValues() {
            return hidden == 0;
        }
    }

    /** A foreign key of a table: its columns, the parent table and the parent's columns (empty: the parent's primary key). */
    record ForeignKey(List<String> columns, String parent, List<String> parentColumns) {
    }

    /** A table, its columns and foreign keys; a virtual table has no parsed definition. */
    record Table(String name, String sql, List<Column> columns, List<ForeignKey> foreignKeys, Optional<TableSql> definition) {
        boolean isVirtual() {
            return definition.isEmpty();
        }

        Optional<Column> column(String wanted) {
            return columns.stream().filter(c -> c.name().equalsIgnoreCase(wanted)).findFirst();
        }

        /** The INTEGER PRIMARY KEY column that is the rowid, if the table has one. */
        boolean isRowidAlias(Column column) {
            long keys = columns.stream().filter(c -> c.primaryKeyPosition() > 0).count();
            return keys == 1 && column.primaryKeyPosition() == 1 && column.type().equalsIgnoreCase("INTEGER")
                    && !sql.toUpperCase(Locale.ROOT).matches("(?s).*\\)\\s*WITHOUT\\s+ROWID.*");
        }
    }

    /** An index, view or trigger: its name, the table it belongs to and its SQL. */
    record Item(String name, String table, String sql) {
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    static SchemaObjects read(Connection connection) throws SQLException {
        Set<String> shadows = new HashSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'")) {
            while (rows.next()) {
                shadows.add(key(rows.getString(1)));
            }
        }
        Map<String, String> tableSql = new LinkedHashMap<>();
        Map<String, Item> indexes = new LinkedHashMap<>();
        Map<String, Item> triggers = new LinkedHashMap<>();
        Map<String, Item> views = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid")) {
            while (rows.next()) {
                String type = rows.getString(1);
                String name = rows.getString(2);
                Item item = new Item(name, rows.getString(3), rows.getString(4));
                if (!SchemaReader.isSchemaObject(name) || !SchemaReader.isSchemaObject(item.table()) || shadows.contains(key(item.table()))) {
                    continue;
                }
                switch (type) {
                    case "table" -> tableSql.put(name, item.sql());
                    case "index" -> {
                        if (item.sql() != null) { // indexes of UNIQUE and PRIMARY KEY constraints belong to their table's SQL
                            indexes.put(key(name), item);
                        }
                    }
                    case "trigger" -> triggers.put(key(name), item);
                    case "view" -> views.put(key(name), item);
                    default -> { }
                }
            }
        }
        Map<String, Table> tables = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : tableSql.entrySet()) {
            String name = entry.getKey();
            tables.put(key(name), new Table(name, entry.getValue(), columns(connection, name), foreignKeys(connection, name),
                    entry.getValue().toUpperCase(Locale.ROOT).startsWith("CREATE VIRTUAL") ? Optional.empty() : TableSql.parse(entry.getValue())));
        }
        return new SchemaObjects(tables, indexes, triggers, views);
    }

    /** The indexes written for one table, in creation order. */
    List<Item> indexesOf(String table) {
        return indexes.values().stream().filter(i -> i.table().equalsIgnoreCase(table)).toList();
    }

    private static List<Column> columns(Connection connection, String table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?)")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    columns.add(new Column(rows.getString(1), rows.getString(2) == null ? "" : rows.getString(2), rows.getInt(3) != 0,
                            rows.getString(4), rows.getInt(5), rows.getInt(6)));
                }
            }
        }
        return columns;
    }

    private static List<ForeignKey> foreignKeys(Connection connection, String table) throws SQLException {
        Map<Integer, List<String[]>> parts = new TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    parts.computeIfAbsent(rows.getInt(1), id -> new ArrayList<>()).add(new String[]{rows.getString(2), rows.getString(3), rows.getString(4)});
                }
            }
        }
        List<ForeignKey> keys = new ArrayList<>();
        for (List<String[]> key : parts.values()) {
            List<String> parentColumns = key.stream().map(p -> p[2]).toList();
            keys.add(new ForeignKey(key.stream().map(p -> p[1]).toList(), key.get(0)[0],
                    parentColumns.contains(null) ? List.of() : parentColumns));
        }
        return keys;
    }
}
