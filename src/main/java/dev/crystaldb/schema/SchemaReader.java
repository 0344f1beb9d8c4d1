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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link SchemaFingerprint} from a live connection through SQLite's pragmas. A reader
 * remembers the tables it has read by their SQL, so fingerprinting a database again after each
 * of hundreds of migrations only reads the tables that changed.
 */
public final class SchemaReader {
    /** Tables crystal-db and the tools it replaces keep for themselves. */
    private static final Set<String> IGNORED = Set.of("flyway_schema_history", "alembic_version", "sqlite_sequence", "sqlite_stat1",
            "sqlite_stat4");

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
        List<SchemaFingerprint.Column> columns = new ArrayList<>();
        try (ResultSet rows = pragma(connection, "table_xinfo", name)) {
            while (rows.next()) {
                columns.add(new SchemaFingerprint.Column(key(rows.getString("name")), normalizeType(rows.getString("type")),
                        rows.getInt("notnull") != 0, SqlText.normalize(rows.getString("dflt_value")), rows.getInt("pk"), rows.getInt("hidden")));
            }
        }
        Set<SchemaFingerprint.Index> indexes = new TreeSet<>();
        List<String[]> indexList = new ArrayList<>();
        try (ResultSet rows = pragma(connection, "index_list", name)) {
            while (rows.next()) {
                indexList.add(new String[]{rows.getString("name"), rows.getString("unique"), rows.getString("origin"), rows.getString("partial")});
            }
        }
        for (String[] index : indexList) {
            List<String> indexColumns = new ArrayList<>();
            try (ResultSet rows = pragma(connection, "index_xinfo", index[0])) {
                while (rows.next()) {
                    if (rows.getInt("key") == 1) {
                        String column = rows.getString("name");
                        indexColumns.add((column == null ? "<expression>" : key(column)) + (rows.getInt("desc") == 1 ? " desc" : "")
                                + collation(rows.getString("coll")));
                    }
                }
            }
            String where = "1".equals(index[3]) ? partialWhere(indexSqlByName.get(index[0])) : null;
            indexes.add(new SchemaFingerprint.Index(indexColumns, "1".equals(index[1]), index[2], where));
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
            List<String> to = parts.stream().map(p -> p[2] == null ? "<primary key>" : key(p[2])).toList();
            String[] first = parts.get(0);
            foreignKeys.add(new SchemaFingerprint.ForeignKey(from, key(first[0]), to, first[3].toUpperCase(Locale.ROOT), first[4].toUpperCase(Locale.ROOT)));
        }
        return new SchemaFingerprint.Table(key(name), columns, indexes, foreignKeys, options(sql));
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

    private static String partialWhere(String indexSql) {
        if (indexSql == null) {
            return null;
        }
        Matcher where = Pattern.compile("(?:^|[^a-z0-9_$])where (.*)$").matcher(SqlText.normalize(indexSql));
        return where.find() ? where.group(1) : null;
    }

    /** AUTOINCREMENT, WITHOUT ROWID and STRICT change how a table behaves; they are read from its SQL. */
    private static String options(String sql) {
        String normalized = SqlText.normalize(sql);
        int close = normalized.lastIndexOf(')');
        String tail = close < 0 ? "" : normalized.substring(close + 1);
        List<String> options = new ArrayList<>();
        if (tail.contains("without rowid")) {
            options.add("WITHOUT ROWID");
        }
        if (tail.contains("strict")) {
            options.add("STRICT");
        }
        String kind = options.isEmpty() ? "rowid table" : String.join(" ", options);
        // AUTOINCREMENT never hands out the id of a deleted row again
        return normalized.matches(".*\\bautoincrement\\b.*") ? kind + " AUTOINCREMENT" : kind;
    }
}
