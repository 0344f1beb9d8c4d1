package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.schema.SqlText;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * What crystal-db keeps beside Flyway's history so that an edited migration can be judged: for each
 * applied version, a checksum of the statements it runs with comments, whitespace and the case of
 * keywords and names left out, stored with the Flyway checksum it goes with. Flyway's table keeps
 * its own layout and checksum (Flyway still reads it); a row whose Flyway checksum is no longer the
 * history's is stale and tells nothing.
 */
public final class StatementChecksums {
    public static final String TABLE = "crystal_db_statement_checksums";

    /** Whether an edited file still runs the statements that were applied. */
    public enum Edit {
        /** Only comments, whitespace or letter case changed: SQLite runs the same statements. */
        COMMENTS_ONLY,
        /** The statements differ. */
        STATEMENTS,
        /** Nothing was recorded when it was applied (by an older crystal-db, or by Flyway). */
        UNKNOWN
    }

    private StatementChecksums() {
    }

    /** The checksum of the statements crystal-db runs for a script, comments and whitespace aside. */
    public static int of(MigrationScript script) {
        CRC32 crc = new CRC32();
        for (SqlStatement statement : script.statements()) {
            crc.update(SqlText.normalize(statement.text()).getBytes(StandardCharsets.UTF_8));
            crc.update(0);
        }
        return (int) crc.getValue();
    }

    /** A statement checksum as recorded, with the Flyway checksum of the file it was recorded for. */
    public record Recorded(int flywayChecksum, int statementsChecksum) {
    }

    /** The recorded statement checksums by version. */
    static Map<Version, Recorded> read(Connection connection) throws SQLException {
        Map<Version, Recorded> recorded = new HashMap<>();
        if (!SqliteQueries.tableExists(connection, TABLE)) {
            return recorded;
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT version, flyway_checksum, statements_checksum FROM " + TABLE)) {
            while (rows.next()) {
                Version version = Version.parseOrNull(rows.getString(1));
                if (version != null) {
                    recorded.put(version, new Recorded(rows.getInt(2), rows.getInt(3)));
                }
            }
        }
        return recorded;
    }

    /** How the file differs from what was applied, given the history's Flyway checksum and the recorded pair. */
    static Edit edit(MigrationScript script, Integer historyChecksum, Optional<Recorded> recorded) {
        if (historyChecksum == null || recorded.isEmpty() || recorded.get().flywayChecksum() != historyChecksum) {
            return Edit.UNKNOWN;
        }
        return recorded.get().statementsChecksum() == of(script) ? Edit.COMMENTS_ONLY : Edit.STATEMENTS;
    }

    /** Records what a script runs, for the checksum Flyway records for it. */
    static void record(Connection connection, MigrationScript script) throws SQLException {
        record(connection, script.file().version(), ScriptChecksum.of(script.runnableSql()), of(script));
    }

    /** Records (or replaces) the pair for a version, inside the caller's transaction. */
    static void record(Connection connection, Version version, int flywayChecksum, int statementsChecksum) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (version TEXT PRIMARY KEY, flyway_checksum INTEGER NOT NULL, "
                    + "statements_checksum INTEGER NOT NULL)");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT OR REPLACE INTO " + TABLE
                + " (version, flyway_checksum, statements_checksum) VALUES (?, ?, ?)")) {
            insert.setString(1, version.toString());
            insert.setInt(2, flywayChecksum);
            insert.setInt(3, statementsChecksum);
            insert.executeUpdate();
        }
    }

    /** Forgets a version (it was undone or un-stamped), inside the caller's transaction. */
    static void remove(Connection connection, Version version) throws SQLException {
        if (!SqliteQueries.tableExists(connection, TABLE)) {
            return;
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE version = ?")) {
            delete.setString(1, version.toString());
            delete.executeUpdate();
        }
    }
}
