package dev.crystaldb.migrate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** One row of flyway_schema_history, read with plain SQL. */
record HistoryRow(int installedRank, Version version, String description, String type, String script, Integer checksum,
                  String installedBy, Instant installedOn, Integer executionMillis, boolean success) {

    private static final DateTimeFormatter INSTALLED_ON = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS][.SS][.S]");

    boolean isBaseline() {
        return "BASELINE".equals(type);
    }

    static List<HistoryRow> readAll(Connection connection) throws SQLException {
        List<HistoryRow> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT installed_rank, version, description, type, script, checksum, installed_by, "
                     + "installed_on, execution_time, success FROM " + MigrationEngine.HISTORY_TABLE + " ORDER BY installed_rank")) {
            while (result.next()) {
                int checksum = result.getInt(6);
                Integer checksumOrNull = result.wasNull() ? null : checksum;
                rows.add(new HistoryRow(result.getInt(1), Version.parseOrNull(result.getString(2)), result.getString(3), result.getString(4),
                        result.getString(5), checksumOrNull, result.getString(7), instant(result.getString(8)), result.getInt(9),
                        result.getBoolean(10)));
            }
        }
        return rows;
    }

    /** Flyway writes installed_on as UTC text (strftime('%Y-%m-%d %H:%M:%f','now')). */
    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(text.trim(), INSTALLED_ON).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
