package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteQueries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The versions a rollback or downgrade took back out, recorded in the database itself so that the
 * next `upgrade` (systemd's ExecStartPre= at a restart, a reboot, Restart=on-failure) does not
 * apply the same migrations again. The hold stands while the migration set still carries the held
 * versions as they were applied (same statements); a set that changes or drops one of them is a new
 * release and releases it, and so does `upgrade --release-hold`.
 */
public record UpgradeHold(String reason, Instant since, List<Held> versions) {
    public static final String TABLE = "crystal_db_upgrade_hold";

    /**
     * One held version as it was applied: the Flyway checksum of its file and, where crystal-db
     * recorded it, the checksum of its statements (so that an edit of comments alone is still the
     * same release). Null checksums: unknown, held whatever the file says.
     */
    public record Held(Version version, String script, Integer flywayChecksum, Integer statementsChecksum) {
    }

    public UpgradeHold {
        versions = versions.stream().sorted(Comparator.comparing(Held::version)).toList();
    }

    /** "5, 6, 7" */
    public String versionList() {
        return versions.stream().map(h -> h.version().toString()).collect(Collectors.joining(", "));
    }

    /** The versions held, for lookups. */
    public List<Version> heldVersions() {
        return versions.stream().map(Held::version).toList();
    }

    /**
     * Whether the set is the release that was taken back: it carries every held version, each still
     * running what was applied. Otherwise the held versions changed (a fixed release), and the hold is over.
     */
    public boolean holds(MigrationSet migrations) {
        return changedIn(migrations).isEmpty();
    }

    /** The held versions the set changed or dropped since they were taken back. */
    public List<Version> changedIn(MigrationSet migrations) {
        List<Version> changed = new ArrayList<>();
        for (Held held : versions) {
            Optional<MigrationFile> file = migrations.forward(held.version());
            if (file.isEmpty()) {
                changed.add(held.version());
                continue;
            }
            MigrationScript script = migrations.script(file.get());
            boolean same = held.statementsChecksum() != null ? held.statementsChecksum() == StatementChecksums.of(script)
                    : held.flywayChecksum() == null || held.flywayChecksum() == ScriptChecksum.of(script.runnableSql());
            if (!same) {
                changed.add(held.version());
            }
        }
        return changed;
    }

    /** The hold a database carries, if any. */
    public static Optional<UpgradeHold> read(Connection connection) throws SQLException {
        if (!SqliteQueries.tableExists(connection, TABLE)) {
            return Optional.empty();
        }
        List<Held> held = new ArrayList<>();
        String reason = null;
        Instant since = null;
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT version, script, flyway_checksum, statements_checksum, reason, held_on FROM "
                     + TABLE + " ORDER BY held_on, version")) {
            while (rows.next()) {
                Version version = Version.parseOrNull(rows.getString(1));
                if (version == null) {
                    continue;
                }
                held.add(new Held(version, rows.getString(2), integer(rows, 3), integer(rows, 4)));
                // the newest event names the hold: a second rollback adds to the first one's versions
                reason = rows.getString(5);
                since = instant(rows.getString(6));
            }
        }
        return held.isEmpty() ? Optional.empty() : Optional.of(new UpgradeHold(reason, since, held));
    }

    /** Records (or extends) the hold, inside the caller's transaction. */
    public static void record(Connection connection, UpgradeHold hold) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (version TEXT PRIMARY KEY, script TEXT, flyway_checksum INTEGER, "
                    + "statements_checksum INTEGER, reason TEXT NOT NULL, held_on TEXT NOT NULL)");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT OR REPLACE INTO " + TABLE
                + " (version, script, flyway_checksum, statements_checksum, reason, held_on) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (Held held : hold.versions()) {
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

    /** Removes the hold, inside the caller's transaction. */
    public static void release(Connection connection) throws SQLException {
        if (SqliteQueries.tableExists(connection, TABLE)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE " + TABLE);
            }
        }
    }

    /**
     * What a database had applied that another copy of it (the restored backup, the downgraded
     * database) no longer has: the versions to hold. Baselines are left out: upgrade never applies them.
     */
    public static List<Held> takenBack(List<Held> appliedBefore, List<Held> appliedAfter) {
        Map<Version, Held> after = new HashMap<>();
        appliedAfter.forEach(h -> after.put(h.version(), h));
        return appliedBefore.stream().filter(h -> !after.containsKey(h.version())).toList();
    }

    /** The successfully applied, non-baseline versions of a history, with their checksums, as {@link Held} entries. */
    public static List<Held> applied(Connection connection) throws SQLException {
        if (!SqliteQueries.tableExists(connection, MigrationEngine.HISTORY_TABLE)) {
            return List.of();
        }
        Map<Version, StatementChecksums.Recorded> statements = StatementChecksums.read(connection);
        List<Held> applied = new ArrayList<>();
        for (HistoryRow row : HistoryRow.readAll(connection)) {
            if (row.success() && row.version() != null && !row.isBaseline()) {
                StatementChecksums.Recorded recorded = statements.get(row.version());
                Integer statementsChecksum = recorded != null && Objects.equals(recorded.flywayChecksum(), row.checksum())
                        ? recorded.statementsChecksum() : null;
                applied.add(new Held(row.version(), row.script(), row.checksum(), statementsChecksum));
            }
        }
        return applied;
    }

    private static Integer integer(ResultSet rows, int column) throws SQLException {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }

    private static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, java.sql.Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
