package dev.crystaldb.ops;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.AlembicVersion;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.Version;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** `status` and `history`: the history against the migration set, read only (no lock, nothing written). */
public final class InspectService {
    /**
     * What `status` reports: the state, why the history does not fit the set (empty when it does),
     * and what an alembic_version table left in the database means.
     */
    public record Status(Path database, MigrationSet migrations, DatabaseState state, Optional<String> problem, Optional<AlembicVersion> alembic) {
    }

    /** What `history` lists: every known migration, and the pending versions an upgrade hold keeps back. */
    public record History(Path database, DatabaseState state, List<Version> held) {
    }

    private final Duration lockTimeout;

    public InspectService(Duration lockTimeout) {
        this.lockTimeout = lockTimeout;
    }

    /** Refuses (exit 2) a history another migration set wrote; any other misfit is reported, not thrown. */
    public Status status(Path database, MigrationSet migrations) {
        SqliteDatabase opened = SqliteDatabase.forReading(database, lockTimeout);
        MigrationEngine engine = new MigrationEngine(opened, migrations);
        DatabaseState state = engine.inspect();
        engine.requireSameSet(state);
        Optional<String> problem = Optional.empty();
        try {
            engine.requireConsistent(state);
        } catch (CrystalDbException e) {
            problem = Optional.of(e.getMessage());
        }
        return new Status(opened.file(), migrations, state, problem, AlembicVersion.of(state, migrations));
    }

    public History history(Path database, MigrationSet migrations) {
        SqliteDatabase opened = SqliteDatabase.forReading(database, lockTimeout);
        DatabaseState state = new MigrationEngine(opened, migrations).inspect();
        return new History(opened.file(), state, state.heldPending(migrations));
    }

    /** The version of the SQLite library this executable runs (for --version). */
    public static String sqliteVersion() {
        return SqliteQueries.libraryVersion();
    }
}
