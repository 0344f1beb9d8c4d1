package dev.crystaldb.db;

import dev.crystaldb.errors.Failures;
import org.sqlite.SQLiteConfig;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The small queries every part asks of an open connection: SQLite's checks, a PRAGMA's value, whether a table exists. */
public final class SqliteQueries {
    private SqliteQueries() {
    }

    /** Runs PRAGMA integrity_check (or quick_check) and returns the problems found; empty means ok. */
    public static List<String> integrityProblems(Connection connection, boolean quick) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check")) {
            while (rows.next()) {
                String line = rows.getString(1);
                if (!"ok".equalsIgnoreCase(line)) {
                    problems.add(line);
                }
            }
        }
        return problems;
    }

    /** Runs PRAGMA foreign_key_check and describes each violating row. */
    public static List<String> foreignKeyProblems(Connection connection) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA foreign_key_check")) {
            while (rows.next()) {
                problems.add("table " + rows.getString(1) + " rowid " + rows.getString(2)
                        + " refers to a missing row in " + rows.getString(3));
            }
        }
        return problems;
    }

    /** The first column of the first row of a query (a PRAGMA's value), or null. */
    public static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    public static boolean tableExists(Connection connection, String table) throws SQLException {
        try (var statement = connection.prepareStatement(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** The version of the SQLite library this build carries. */
    public static String libraryVersion() {
        try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
            return scalar(connection, "SELECT sqlite_version()");
        } catch (SQLException e) {
            return "unavailable (" + Failures.firstLine(e) + ")";
        }
    }
}
