package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.progress.Progress;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The checks every change runs inside its unit before the commit: PRAGMA foreign_key_check and integrity_check. */
final class UnitChecks {
    private static final String STEP = "checking foreign keys and integrity before commit";

    /** Work inside the unit that may fail with SQL. */
    @FunctionalInterface
    interface Check {
        void run() throws SQLException;
    }

    /** A failure inside a unit, raised before the commit so the transaction rolls back. */
    static final class Failure extends RuntimeException {
        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private UnitChecks() {
    }

    static void requirePass(Connection connection, Progress progress) throws SQLException {
        try (Progress.Step step = progress.start(STEP)) {
            List<String> foreignKeys = SqliteQueries.foreignKeyProblems(connection);
            if (!foreignKeys.isEmpty()) {
                throw new Failure("foreign key check failed: " + foreignKeys.get(0)
                        + (foreignKeys.size() > 1 ? " (and " + (foreignKeys.size() - 1) + " more)" : ""), null);
            }
            List<String> integrity = SqliteQueries.integrityProblems(connection, false);
            if (!integrity.isEmpty()) {
                throw new Failure("integrity check failed: " + integrity.get(0), null);
            }
        }
    }
}
