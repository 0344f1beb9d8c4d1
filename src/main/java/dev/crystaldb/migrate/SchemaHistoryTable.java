package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteQueries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one gateway to the tables a migrated database keeps about itself, on one connection (a
 * read-only one, or the unit's): Flyway's flyway_schema_history, in Flyway's own SQLite layout so
 * Flyway still reads it; crystal-db's statement checksums beside it ({@link StatementChecksums});
 * the upgrade hold ({@link UpgradeHold}); and the alembic_version Alembic left. No other class
 * holds SQL on them; Flyway itself writes history rows only through {@link FlywayAdapter}.
 */
final class SchemaHistoryTable {
    static final String HISTORY = "flyway_schema_history";
    static final String STATEMENT_CHECKSUMS = "crystal_db_statement_checksums";
    static final String HOLD = "crystal_db_upgrade_hold";
    static final String ALEMBIC_VERSION = "alembic_version";

    private static final DateTimeFormatter INSTALLED_ON = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS][.SS][.S]");

    private final Connection connection;

    SchemaHistoryTable(Connection connection) {
        this.connection = connection;
    }

    boolean exists() throws SQLException {
        return SqliteQueries.tableExists(connection, HISTORY);
    }

    /** Every row, in installed_rank order; none when there is no history table. */
    List<HistoryRow> rows() throws SQLException {
        List<HistoryRow> rows = new ArrayList<>();
        if (!exists()) {
            return rows;
        }
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT installed_rank, version, description, type, script, checksum, installed_by, "
                     + "installed_on, execution_time, success FROM " + HISTORY + " ORDER BY installed_rank")) {
            while (result.next()) {
                rows.add(new HistoryRow(result.getInt(1), Version.parseOrNull(result.getString(2)), result.getString(3), result.getString(4),
                        result.getString(5), integer(result, 6), result.getString(7), installedOn(result.getString(8)), result.getInt(9),
                        result.getBoolean(10)));
            }
        }
        return rows;
    }

    /** Flyway's own SQLite layout of the history table, so a database crystal-db stamped stays readable by Flyway. */
    void createIfMissing() throws SQLException {
        if (exists()) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE \"" + HISTORY + "\" (\n"
                    + "    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n"
                    + "    \"version\" VARCHAR(50),\n"
                    + "    \"description\" VARCHAR(200) NOT NULL,\n"
                    + "    \"type\" VARCHAR(20) NOT NULL,\n"
                    + "    \"script\" VARCHAR(1000) NOT NULL,\n"
                    + "    \"checksum\" INT,\n"
                    + "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
                    + "    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n"
                    + "    \"execution_time\" INT NOT NULL,\n"
                    + "    \"success\" BOOLEAN NOT NULL\n"
                    + ")");
            statement.execute("CREATE INDEX \"" + HISTORY + "_s_idx\" ON \"" + HISTORY + "\" (\"success\")");
        }
    }

    /** Removes a version's row (undone or un-stamped) and what crystal-db recorded beside it. */
    void deleteRow(int installedRank, Version version) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + HISTORY + " WHERE installed_rank = ?")) {
            delete.setInt(1, installedRank);
            delete.executeUpdate();
        }
        forgetStatements(version);
    }

    /** Realigns a row with its file, as Flyway's repair does (Flyway's checksum). */
    void updateRow(int installedRank, int checksum, String description) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + HISTORY
                + " SET checksum = ?, description = ? WHERE installed_rank = ?")) {
            update.setInt(1, checksum);
            update.setString(2, description);
            update.setInt(3, installedRank);
            update.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- statement checksums

    Map<Version, StatementChecksums.Recorded> statementChecksums() throws SQLException {
        Map<Version, StatementChecksums.Recorded> recorded = new HashMap<>();
        if (!SqliteQueries.tableExists(connection, STATEMENT_CHECKSUMS)) {
            return recorded;
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT version, flyway_checksum, statements_checksum FROM " + STATEMENT_CHECKSUMS)) {
            while (rows.next()) {
                Version version = Version.parseOrNull(rows.getString(1));
                if (version != null) {
                    recorded.put(version, new StatementChecksums.Recorded(rows.getInt(2), rows.getInt(3)));
                }
            }
        }
        return recorded;
    }

    /** Records what a script runs, for the checksum Flyway records for it. */
    void recordStatements(MigrationScript script) throws SQLException {
        recordStatements(script.file().version(), ScriptChecksum.of(script.runnableSql()), StatementChecksums.of(script));
    }

    /** Records (or replaces) the pair for a version. */
    void recordStatements(Version version, int flywayChecksum, int statementsChecksum) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + STATEMENT_CHECKSUMS + " (version TEXT PRIMARY KEY, flyway_checksum INTEGER NOT NULL, "
                    + "statements_checksum INTEGER NOT NULL)");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT OR REPLACE INTO " + STATEMENT_CHECKSUMS
                + " (version, flyway_checksum, statements_checksum) VALUES (?, ?, ?)")) {
            insert.setString(1, version.toString());
            insert.setInt(2, flywayChecksum);
            insert.setInt(3, statementsChecksum);
            insert.executeUpdate();
        }
    }

    private void forgetStatements(Version version) throws SQLException {
        if (version == null || !SqliteQueries.tableExists(connection, STATEMENT_CHECKSUMS)) {
            return;
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + STATEMENT_CHECKSUMS + " WHERE version = ?")) {
            delete.setString(1, version.toString());
            delete.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- the upgrade hold

    Optional<UpgradeHold> hold() throws SQLException {
        if (!SqliteQueries.tableExists(connection, HOLD)) {
            return Optional.empty();
        }
        List<UpgradeHold.Held> held = new ArrayList<>();
        String reason = null;
        Instant since = null;
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT version, script, flyway_checksum, statements_checksum, reason, held_on FROM "
                     + HOLD + " ORDER BY held_on, version")) {
            while (rows.next()) {
                Version version = Version.parseOrNull(rows.getString(1));
                if (version == null) {
                    continue;
                }
                held.add(new UpgradeHold.Held(version, rows.getString(2), integer(rows, 3), integer(rows, 4)));
                // the newest event names the hold: a second rollback adds to the first one's versions
                reason = rows.getString(5);
                since = heldOn(rows.getString(6));
            }
        }
        return held.isEmpty() ? Optional.empty() : Optional.of(new UpgradeHold(reason, since, held));
    }

    /** Records (or extends) the hold. */
    void recordHold(UpgradeHold hold) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + HOLD + " (version TEXT PRIMARY KEY, script TEXT, flyway_checksum INTEGER, "
                    + "statements_checksum INTEGER, reason TEXT NOT NULL, held_on TEXT NOT NULL)");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT OR REPLACE INTO " + HOLD
                + " (version, script, flyway_checksum, statements_checksum, reason, held_on) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (UpgradeHold.Held held : hold.versions()) {
                insert.setString(1, held.version().toString());
                insert.setString(2, held.script());
                setInteger(insert, 3, held.flywayChecksum());
                setInteger(insert, 4, held.statementsChecksum());
                insert.setString(5, hold.reason());
                insert.setString(6, hold.since().truncatedTo(ChronoUnit.SECONDS).toString());
                insert.executeUpdate();
            }
        }
    }

    void releaseHold() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + HOLD);
        }
    }

    // ---------------------------------------------------------------- beside the history

    /** Whether the database has tables or views of its own, besides these and SQLite's. */
    boolean hasOtherTables() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') "
                     + "AND name NOT LIKE 'sqlite_%' AND name NOT IN ('" + HISTORY + "', '" + STATEMENT_CHECKSUMS + "', '" + HOLD + "', '"
                     + ALEMBIC_VERSION + "')")) {
            return rows.next() && rows.getLong(1) > 0;
        }
    }

    Optional<String> alembicRevision() throws SQLException {
        if (!SqliteQueries.tableExists(connection, ALEMBIC_VERSION)) {
            return Optional.empty();
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT version_num FROM " + ALEMBIC_VERSION)) {
            return Optional.of(rows.next() ? rows.getString(1) : "(empty)");
        } catch (SQLException e) {
            return Optional.of("(unreadable)");
        }
    }

    void dropAlembicVersion() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + ALEMBIC_VERSION);
        }
    }

    // ---------------------------------------------------------------- values

    private static Integer integer(ResultSet rows, int column) throws SQLException {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }

    private static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    /** Flyway writes installed_on as UTC text (strftime('%Y-%m-%d %H:%M:%f','now')). */
    private static Instant installedOn(String text) {
        if (text == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(text.trim(), INSTALLED_ON).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant heldOn(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
