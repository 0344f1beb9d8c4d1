package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a database's history and puts it beside the set, as Flyway's info does; never writes. The
 * history table is read directly (Flyway's own layout) so that status and a no-op upgrade never
 * start Flyway.
 */
final class HistoryInspection {
    private HistoryInspection() {
    }

    static DatabaseState inspect(SqliteDatabase database, MigrationSet migrations) {
        if (!database.exists()) {
            return new DatabaseState(false, false, false, Optional.empty(), merge(migrations, List.of()), migrations.head(), Map.of(),
                    Optional.empty());
        }
        try (Connection connection = database.openReadOnly()) {
            SchemaHistoryTable history = new SchemaHistoryTable(connection);
            boolean exists = history.exists();
            return new DatabaseState(true, exists, history.hasOtherTables(), history.alembicRevision(), merge(migrations, history.rows()),
                    migrations.head(), exists ? history.statementChecksums() : Map.of(), history.hold());
        } catch (SQLException e) {
            throw database.translate(e, "read " + database.file());
        }
    }

    private static List<HistoryEntry> merge(MigrationSet migrations, List<HistoryRow> rows) {
        Map<Version, HistoryRow> byVersion = new HashMap<>();
        Version baseline = null;
        Version highestApplied = null;
        for (HistoryRow row : rows) {
            if (row.version() == null) {
                continue; // repeatable migrations and Flyway's schema markers are not part of crystal-db's model
            }
            byVersion.put(row.version(), row);
            if (row.success() && (highestApplied == null || row.version().compareTo(highestApplied) > 0)) {
                highestApplied = row.version();
            }
            if (row.isBaseline() && (baseline == null || row.version().compareTo(baseline) > 0)) {
                baseline = row.version();
            }
        }
        List<HistoryEntry> entries = new ArrayList<>();
        for (MigrationFile file : migrations.forwards()) {
            HistoryRow row = byVersion.remove(file.version());
            boolean undo = migrations.undo(file.version()).isPresent();
            if (row != null) {
                MigrationStatus status = !row.success() ? MigrationStatus.FAILED : row.isBaseline() ? MigrationStatus.BASELINE : MigrationStatus.APPLIED;
                boolean changed = row.success() && !row.isBaseline() && row.checksum() != null
                        && row.checksum() != ScriptChecksum.of(migrations.script(file).runnableSql());
                entries.add(new HistoryEntry(file.version(), row.description(), status, row.script(), row.installedOn(),
                        row.executionMillis(), row.installedBy(), undo, changed, row.installedRank(), row.checksum()));
            } else {
                MigrationStatus status = baseline != null && file.version().compareTo(baseline) <= 0 ? MigrationStatus.BELOW_BASELINE
                        : highestApplied != null && file.version().compareTo(highestApplied) < 0 ? MigrationStatus.SKIPPED
                        : MigrationStatus.PENDING;
                entries.add(new HistoryEntry(file.version(), file.description(), status, file.fileName(), null, null, null, undo, false, null, null));
            }
        }
        for (HistoryRow row : byVersion.values()) {
            MigrationStatus status = !row.success() ? MigrationStatus.FAILED : row.isBaseline() ? MigrationStatus.BASELINE : MigrationStatus.MISSING;
            entries.add(new HistoryEntry(row.version(), row.description(), status, row.script(), row.installedOn(), row.executionMillis(),
                    row.installedBy(), false, false, row.installedRank(), row.checksum()));
        }
        entries.sort(Comparator.comparing(HistoryEntry::version));
        return entries;
    }
}
