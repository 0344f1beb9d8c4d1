package dev.crystaldb.schema;

import java.util.List;

/**
 * How a schema compares with the one expected: differences change what SQLite does (drift, a
 * mismatch); equivalences are differences in how the schema is written that change nothing in
 * SQLite (INTEGER NOT NULL PRIMARY KEY for INTEGER PRIMARY KEY, DEFAULT '0' for DEFAULT 0 in a
 * NUMERIC column), reported as notes and never as drift.
 */
public record SchemaComparison(List<String> differences, List<String> equivalences) {
    public SchemaComparison {
        differences = List.copyOf(differences);
        equivalences = List.copyOf(equivalences);
    }

    public boolean matches() {
        return differences.isEmpty();
    }
}
