package dev.crystaldb.ops;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.Failures;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.HistoryEntry;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaDetection;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.schema.SchemaComparison;
import dev.crystaldb.schema.SchemaFingerprint;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The checks of `verify`: SQLite's integrity and foreign keys, and the history against the migration files. */
public final class DatabaseVerifier {
    /** One named check, the problems it found (none means ok) and notes that are not problems. */
    public record Check(String name, List<String> problems, List<String> notes) {
        public Check(String name, List<String> problems) {
            this(name, problems, List.of());
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Runs every check. A database SQLite finds damaged is a failed integrity check (exit 4), not
     * an error: the checks that need to read it are then left out.
     */
    public List<Check> verify(Path file, Duration lockTimeout, MigrationSet migrations) {
        SqliteDatabase database;
        try {
            database = SqliteDatabase.forReading(file, lockTimeout);
        } catch (CrystalDbException e) {
            if (SqliteFailure.isDamaged(e)) {
                return List.of(new Check("integrity_check", List.of(e.getMessage())));
            }
            throw e;
        }
        MigrationEngine engine = new MigrationEngine(database, migrations);
        List<Check> checks = new ArrayList<>();
        try (Connection connection = database.openReadOnly()) {
            checks.add(new Check("integrity_check", SqliteQueries.integrityProblems(connection, false)));
            checks.add(new Check("foreign_key_check", SqliteQueries.foreignKeyProblems(connection)));
        } catch (SQLException e) {
            if (SqliteFailure.isBusy(e)) {
                throw database.translate(e, "check " + database.file());
            }
            checks.clear();
            checks.add(new Check("integrity_check", List.of("SQLite cannot read the database: " + Failures.firstLine(e))));
            return checks;
        }
        if (checks.stream().anyMatch(c -> !c.ok() && c.name().equals("integrity_check"))) {
            return checks; // the history and the schema of a damaged file prove nothing
        }
        DatabaseState state = engine.inspect();
        engine.requireSameSet(state);
        checks.add(new Check("applied migrations match their files", engine.consistencyProblems(state)));
        checks.add(driftCheck(database, engine, state));
        return checks;
    }

    /** The live schema against the schema the recorded version should have. */
    private static Check driftCheck(SqliteDatabase database, MigrationEngine engine, DatabaseState state) {
        Optional<HistoryEntry> current = state.current();
        String name = "schema matches version " + current.map(e -> e.version().toString()).orElse("base");
        if (current.isPresent() && engine.migrations().forward(current.get().version()).isEmpty()) {
            return new Check(name, List.of("version " + current.get().version() + " is not in the migration set, so its schema is unknown"));
        }
        SchemaFingerprint expected = current.map(e -> SchemaTimeline.at(engine.migrations(), e.version()))
                .orElseGet(SchemaTimeline::base);
        SchemaComparison comparison = SchemaDetection.liveSchema(database).compareWith(expected);
        return new Check(name, comparison.differences(), comparison.equivalences());
    }
}
