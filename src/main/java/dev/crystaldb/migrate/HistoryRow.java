package dev.crystaldb.migrate;

import java.time.Instant;

/** One row of flyway_schema_history, as {@link SchemaHistoryTable} reads it. */
record HistoryRow(int installedRank, Version version, String description, String type, String script, Integer checksum,
                  String installedBy, Instant installedOn, Integer executionMillis, boolean success) {

    boolean isBaseline() {
        return "BASELINE".equals(type);
    }
}
