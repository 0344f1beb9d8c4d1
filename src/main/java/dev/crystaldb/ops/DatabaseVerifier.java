package dev.crystaldb.ops;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.HistoryEntry;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.SchemaDetection;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.schema.SchemaComparison;
import dev.crystaldb.schema.SchemaFingerprint;

import java.sql.Connection;
import java.sql.SQLException;
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

    public List<Check> verify(SqliteDatabase database, MigrationEngine engine) {
        List<Check> checks = new ArrayList<>();
        try (Connection connection = database.openReadOnly()) {
            checks.add(new Check("integrity_check", SqliteDatabase.integrityProblems(connection, false)));
            checks.add(new Check("foreign_key_check", SqliteDatabase.foreignKeyProblems(connection)));
        } catch (SQLException e) {
            throw database.translate(e, "check " + database.file());
        }
        DatabaseState state = engine.inspect();
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
