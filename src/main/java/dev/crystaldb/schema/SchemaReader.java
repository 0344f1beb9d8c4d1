package dev.crystaldb.schema;

import org.sqlite.SQLiteConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a {@link SchemaFingerprint} from a live connection through SQLite's pragmas and, for what
 * they do not report, the CREATE TABLE and CREATE INDEX text ({@link TableDefinition}). A reader
 * remembers the tables it has read by their SQL, so fingerprinting a database again after each
 * of hundreds of migrations only reads the tables that changed.
 */
public final class SchemaReader {
    /** Tables crystal-db and the tools it replaces keep for themselves. */
    private static final Set<String> IGNORED = Set.of("flyway_schema_history", "crystal_db_statement_checksums", "crystal_db_upgrade_hold",
            "alembic_version",
            "sqlite_sequence", "sqlite_stat1", "sqlite_stat4");

    private final Map<String, SchemaFingerprint.Table> cache = new HashMap<>();

    public SchemaFingerprint read(Connection connection) throws SQLException {
        Map<String, String> tableSql = new LinkedHashMap<>();
        Map<String, List<String>> indexSql = new HashMap<>();
        Map<String, String> indexSqlByName = new HashMap<>();
        Map<String, String> triggers = new TreeMap<>();
        Map<String, String> views = new TreeMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_master")) {
            while (rows.next()) {
                String type = rows.getString(1);
                String name = rows.getString(2);
                String table = rows.getString(3);
                String sql = rows.getString(4);
                if (ignored(name) || ignored(table)) {
                    continue;
                }
                switch (type) {
                    case "table" -> tableSql.put(name, sql);
                    case "index" -> {
                        indexSql.computeIfAbsent(table, t -> new ArrayList<>()).add(String.valueOf(sql));
                        indexSqlByName.put(name, sql);
                    }
                    case "trigger" -> triggers.put(key(name), SqlText.normalize(sql));
                    case "view" -> views.put(key(name), SqlText.normalize(sql));
                    default -> { }
                }
            }
        }
        Map<String, SchemaFingerprint.Table> tables = new TreeMap<>();
        for (Map.Entry<String, String> entry : tableSql.entrySet()) {
            List<String> indexes = new ArrayList<>(indexSql.getOrDefault(entry.getKey(), List.of()));
            indexes.sort(null);
            String cacheKey = entry.getKey() + '\0' + entry.getValue() + '\0' + String.join("\0", indexes);
            SchemaFingerprint.Table table = cache.get(cacheKey);
            if (table == null) {
                table = readTable(connection, entry.getKey(), entry.getValue(), indexSqlByName);
                cache.put(cacheKey, table);
            }
            tables.put(key(entry.getKey()), table);
        }
        return SchemaFingerprint.of(tables, triggers, views);
    }

    /**
     * The raw schema as one string built inside SQLite (type, name and SQL of every object, sorted):
     * equal signatures mean equal schemas, and comparing them is far cheaper than fingerprints.
     * Different signatures may still be equal schemas (quoting, ADD COLUMN): then compare
     * {@link #fromSignature} fingerprints.
     */
    public static String signature(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT group_concat(type || char(2) || name || char(2) || coalesce(sql, ''), char(1)) "
                     + "FROM (SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name)")) {
            String signature = rows.next() ? rows.getString(1) : null;
            return signature == null ? "" : signature;
        }
    }

    /** The fingerprint of a schema known only by its signature: its SQL is replayed into a scratch database and read. */
    public SchemaFingerprint fromSignature(String signature) throws SQLException {
        try (Connection scratch = new SQLiteConfig().createConnection("jdbc:sqlite::memory:");
             Statement statement = scratch.createStatement()) {
            List<String[]> objects = new ArrayList<>();
            for (String object : signature.isEmpty() ? new String[0] : signature.split("\u0001")) {
                objects.add(object.split("\u0002", 3));
            }
            for (String type : List.of("table", "index", "view", "trigger")) {
                for (String[] object : objects) {
                    if (object[0].equals(type) && object.length == 3 && !object[2].isEmpty() && !ignored(object[1])) {
                        statement.execute(object[2]);
                    }
                }
            }
            return read(scratch);
        }
    }

    /** The names of the tables (lower case, own tables only): a cheap first comparison. */
    public static Set<String> tableNames(Connection connection) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rows.next()) {
                if (!ignored(rows.getString(1))) {
                    names.add(key(rows.getString(1)));
                }
            }
        }
        return names;
    }

    /** Whether an object is part of the compared schema: not SQLite's own, crystal-db's history or Alembic's version table. */
    public static boolean isSchemaObject(String name) {
        return !ignored(name);
    }

    private static boolean ignored(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.startsWith("sqlite_") || IGNORED.contains(lower) || lower.startsWith("flyway_schema_history");
    }

    private static String key(String identifier) {
        return identifier.toLowerCase(Locale.ROOT);
    }

    private static SchemaFingerprint.Table readTable(Connection connection, String name, String sql, Map<String, String> indexSqlByName)
            throws SQLException {
        TableDefinition definition = TableDefinition.parse(sql);
        Set<SchemaFingerprint.Index> indexes = new TreeSet<>();
        boolean primaryKeyIndex = false;
        List<String[]> indexList = new ArrayList<>();
        try (ResultSet rows = pragma(connection, "index_list", name)) {
            while (rows.next()) {
                indexList.add(new String[]{rows.getString("name"), rows.getString("unique"), rows.getString("origin"), rows.getString("partial")});
            }
        }
        for (String[] index : indexList) {
            TableDefinition.IndexTerms terms = TableDefinition.IndexTerms.parse(indexSqlByName.get(index[0]));
            List<String> indexColumns = new ArrayList<>();
            try (ResultSet rows = pragma(connection, "index_xinfo", index[0])) {
                while (rows.next()) {
                    if (rows.getInt("key") == 1) {
                        String column = rows.getString("name");
                        int position = rows.getInt("seqno");
                        String term = column != null ? key(column) : rows.getInt("cid") == -1 ? "rowid"
                                : "(" + (position < terms.terms().size() ? terms.terms().get(position) : "?") + ")";
                        indexColumns.add(term + (rows.getInt("desc") == 1 ? " desc" : "") + collation(rows.getString("coll")));
                    }
                }
            }
            primaryKeyIndex |= "pk".equals(index[2]);
            indexes.add(new SchemaFingerprint.Index(key(index[0]), indexColumns, "1".equals(index[1]), index[2],
                    "1".equals(index[3]) ? terms.where() : null));
        }
        List<String[]> columnRows = new ArrayList<>();
        try (ResultSet rows = pragma(connection, "table_xinfo", name)) {
            while (rows.next()) {
                columnRows.add(new String[]{rows.getString("name"), rows.getString("type"), rows.getString("notnull"), rows.getString("dflt_value"),
                        rows.getString("pk"), rows.getString("hidden")});
            }
        }
        long primaryKeyColumns = columnRows.stream().filter(c -> !"0".equals(c[4])).count();
        List<SchemaFingerprint.Column> columns = new ArrayList<>();
        for (String[] row : columnRows) {
            String column = key(row[0]);
            String declaredType = normalizeType(row[1]);
            int primaryKeyPosition = Integer.parseInt(row[4]);
            boolean declaredNotNull = !"0".equals(row[2]);
            // SQLite's rule: a single-column INTEGER primary key of a rowid table is the rowid, unless it got an index of its own
            boolean rowidAlias = primaryKeyPosition == 1 && primaryKeyColumns == 1 && declaredType.equals("INTEGER")
                    && !definition.withoutRowid() && definition.virtualModule() == null && !primaryKeyIndex;
            boolean notNull = declaredNotNull || rowidAlias; // SQLite reports WITHOUT ROWID key columns NOT NULL itself
            String type = definition.strict() ? "strict " + (declaredType.equals("INT") ? "INTEGER" : declaredType)
                    : Affinity.of(declaredType).name();
            Affinity affinity = definition.strict() && declaredType.equals("ANY") ? Affinity.BLOB : Affinity.of(declaredType);
            TableDefinition.ColumnClauses clauses = definition.columns().getOrDefault(column, new TableDefinition.ColumnClauses(null, null, false));
            int hidden = Integer.parseInt(row[5]);
            columns.add(new SchemaFingerprint.Column(column, declaredType, type, notNull, declaredNotNull, DefaultValue.of(row[3], affinity),
                    primaryKeyPosition, rowidAlias, clauses.collation(), hidden >= 2 ? clauses.generated() : null, hidden == 3));
        }
        Map<Integer, List<String[]>> keys = new TreeMap<>();
        try (ResultSet rows = pragma(connection, "foreign_key_list", name)) {
            while (rows.next()) {
                keys.computeIfAbsent(rows.getInt("id"), id -> new ArrayList<>()).add(new String[]{rows.getString("table"), rows.getString("from"),
                        rows.getString("to"), rows.getString("on_update"), rows.getString("on_delete")});
            }
        }
        Set<SchemaFingerprint.ForeignKey> foreignKeys = new TreeSet<>();
        for (List<String[]> parts : keys.values()) {
            List<String> from = parts.stream().map(p -> key(p[1])).toList();
            List<String> to = parts.stream().anyMatch(p -> p[2] == null) ? List.of() : parts.stream().map(p -> key(p[2])).toList();
            String[] first = parts.get(0);
            foreignKeys.add(new SchemaFingerprint.ForeignKey(from, key(first[0]), to, first[3].toUpperCase(Locale.ROOT),
                    first[4].toUpperCase(Locale.ROOT), definition.deferredForeignKeys().getOrDefault(from, false)));
        }
        return new SchemaFingerprint.Table(key(name), columns, indexes, foreignKeys, definition.checks(), options(definition));
    }

    private static ResultSet pragma(Connection connection, String pragma, String argument) throws SQLException {
        PreparedStatement statement = connection.prepareStatement("SELECT * FROM pragma_" + pragma + "(?)");
        statement.setString(1, argument);
        statement.closeOnCompletion();
        return statement.executeQuery();
    }

    private static String collation(String collation) {
        return collation == null || collation.equalsIgnoreCase("BINARY") ? "" : " collate " + collation.toLowerCase(Locale.ROOT);
    }

    private static String normalizeType(String type) {
        return type == null ? "" : type.trim().replaceAll("\\s+", " ").replaceAll("\\s*\\(\\s*", "(").replaceAll("\\s*,\\s*", ",")
                .replaceAll("\\s*\\)", ")").toUpperCase(Locale.ROOT);
    }

    /** WITHOUT ROWID, STRICT and AUTOINCREMENT change how a table behaves. */
    private static String options(TableDefinition definition) {
        if (definition.virtualModule() != null) {
            return "virtual table using " + definition.virtualModule();
        }
        List<String> options = new ArrayList<>();
        if (definition.withoutRowid()) {
            options.add("WITHOUT ROWID");
        }
        if (definition.strict()) {
            options.add("STRICT");
        }
        if (definition.autoincrement()) {
            options.add("AUTOINCREMENT");
        }
        return options.isEmpty() ? "rowid table" : String.join(" ", options);
    }
}
