package dev.crystaldb.migrate;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the history table and the migration set say about one database; statementChecksums are
 * what crystal-db recorded beside the history (see {@link StatementChecksums}); hold, the versions a
 * rollback or downgrade took back out (see {@link UpgradeHold}).
 */
public record DatabaseState(boolean exists, boolean hasHistoryTable, boolean hasOtherTables,
                            Optional<String> alembicRevision, List<HistoryEntry> entries, Optional<Version> head,
                            Map<Version, StatementChecksums.Recorded> statementChecksums, Optional<UpgradeHold> hold) {

    public Optional<HistoryEntry> current() {
        return entries.stream()
                .filter(e -> e.status() == MigrationStatus.APPLIED || e.status() == MigrationStatus.BASELINE
                        || e.status() == MigrationStatus.MISSING)
                .reduce((first, second) -> second);
    }

    public List<HistoryEntry> applied() {
        return entries.stream().filter(e -> e.status() == MigrationStatus.APPLIED || e.status() == MigrationStatus.BASELINE).toList();
    }

    public List<HistoryEntry> pending() {
        return entries.stream().filter(e -> e.status() == MigrationStatus.PENDING).toList();
    }

    /** A database with tables of its own but no history: created by hand, an ORM or another tool. */
    public boolean unversioned() {
        return hasOtherTables && entries.stream().noneMatch(e -> e.installedRank() != null);
    }

    /** The pending versions the hold keeps from being applied with this set; empty when there is no hold or the set released it. */
    public List<Version> heldPending(MigrationSet migrations) {
        if (hold.isEmpty() || !hold.get().holds(migrations)) {
            return List.of();
        }
        List<Version> held = hold.get().heldVersions();
        return pending().stream().map(HistoryEntry::version).filter(held::contains).toList();
    }
}
