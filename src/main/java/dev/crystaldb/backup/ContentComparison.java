package dev.crystaldb.backup;

import dev.crystaldb.db.SqliteQueries;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Whether two SQLite databases hold the same, read through SQLite (so committed WAL content
 * counts and nothing opens a database file with plain I/O): the header values SQLite reads
 * (page size and count, encoding, user_version, application_id, auto_vacuum), every row of
 * sqlite_schema, and every row of every table with its rowid, each value with its storage class
 * and, for text, its bytes. Used to decide that a backup still is the database: anything it
 * cannot compare counts as a difference.
 */
final class ContentComparison {
    private static final List<String> HEADER_PRAGMAS = List.of("page_size", "page_count", "encoding", "user_version",
            "application_id", "auto_vacuum");
    private static final List<String> ROWID_NAMES = List.of("rowid", "_rowid_", "oid");

    private ContentComparison() {
    }

    /** The first difference between what the two connections read (each inside a read transaction of the caller's); empty when none. */
    static Optional<String> firstDifference(Connection live, Connection copy) throws SQLException {
        for (String pragma : HEADER_PRAGMAS) {
            String a = SqliteQueries.scalar(live, "PRAGMA main." + pragma);
            String b = SqliteQueries.scalar(copy, "PRAGMA main." + pragma);
            if (!Objects.equals(a, b)) {
                return Optional.of(pragma + " is " + a + ", the backup's " + b);
            }
        }
        Optional<String> schema = firstDifference(live, copy, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema ORDER BY type, name",
                "sqlite_schema");
        if (schema.isPresent()) {
            return schema;
        }
        for (String query : tableQueries(live)) {
            Optional<String> rows = firstDifference(live, copy, query, query);
            if (rows.isPresent()) {
                return rows;
            }
        }
        return Optional.empty();
    }

    /**
     * One query per table that holds rows in the file (virtual tables keep theirs in shadow tables,
     * which are listed), rowid tables with their rowid and in its order.
     */
    private static List<String> tableQueries(Connection connection) throws SQLException {
        List<String[]> tables = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("PRAGMA main.table_list")) {
            while (rows.next()) {
                String type = rows.getString("type");
                String name = rows.getString("name");
                if ((type.equals("table") || type.equals("shadow")) && !name.equals("sqlite_schema")) {
                    tables.add(new String[]{name, rows.getString("wr")});
                }
            }
        }
        tables.sort((a, b) -> a[0].compareTo(b[0]));
        List<String> queries = new ArrayList<>();
        for (String[] table : tables) {
            String name = quoted(table[0]);
            if ("1".equals(table[1])) { // WITHOUT ROWID: the primary key is in the row
                queries.add("SELECT * FROM main." + name);
                continue;
            }
            Set<String> columns = new HashSet<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("PRAGMA main.table_xinfo(" + name + ")")) {
                while (rows.next()) {
                    columns.add(rows.getString("name").toLowerCase());
                }
            }
            String rowid = ROWID_NAMES.stream().filter(n -> !columns.contains(n)).findFirst()
                    .orElseThrow(() -> new SQLException("table " + table[0] + " has columns named rowid, _rowid_ and oid: its rowid cannot be read"));
            queries.add("SELECT " + rowid + ", * FROM main." + name + " ORDER BY " + rowid);
        }
        return queries;
    }

    private static Optional<String> firstDifference(Connection live, Connection copy, String query, String what) throws SQLException {
        try (Statement a = live.createStatement(); ResultSet left = a.executeQuery(query);
             Statement b = copy.createStatement(); ResultSet right = b.executeQuery(query)) {
            int columns = left.getMetaData().getColumnCount();
            if (columns != right.getMetaData().getColumnCount()) {
                return Optional.of(what + ": another number of columns");
            }
            long row = 0;
            while (true) {
                boolean more = left.next();
                if (more != right.next()) {
                    return Optional.of(what + ": another number of rows");
                }
                if (!more) {
                    return Optional.empty();
                }
                row++;
                for (int column = 1; column <= columns; column++) {
                    if (!sameValue(left, right, column)) {
                        return Optional.of(what + ": row " + row + " differs");
                    }
                }
            }
        }
    }

    /** The same storage class and value; text by its bytes, so no decoding can make two texts look alike. */
    private static boolean sameValue(ResultSet left, ResultSet right, int column) throws SQLException {
        Object a = left.getObject(column);
        Object b = right.getObject(column);
        if (a instanceof String && b instanceof String) {
            return Arrays.equals(left.getBytes(column), right.getBytes(column));
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        return a == null ? b == null : b != null && a.getClass() == b.getClass() && a.equals(b);
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
