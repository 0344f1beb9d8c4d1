package dev.crystaldb.migrate;

import java.time.Instant;

/** One known migration and its state for a database (a row of `history`); checksum is the one recorded, if any. */
public record HistoryEntry(Version version, String description, MigrationStatus status, String script,
                           Instant appliedOn, Integer executionMillis, String installedBy,
                           boolean undoAvailable, boolean fileChanged, Integer installedRank, Integer checksum) {
}
