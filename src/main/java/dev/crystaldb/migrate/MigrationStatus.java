package dev.crystaldb.migrate;

/** Where one migration stands for one database. */
public enum MigrationStatus {
    APPLIED("applied"),
    PENDING("pending"),
    FAILED("failed"),
    BASELINE("baseline"),
    BELOW_BASELINE("below baseline"),
    /** applied to the database but absent from the migration set */
    MISSING("missing from the set"),
    /** in the set, older than the current version, never applied */
    SKIPPED("skipped (older than current)");

    public final String label;

    MigrationStatus(String label) {
        this.label = label;
    }
}
