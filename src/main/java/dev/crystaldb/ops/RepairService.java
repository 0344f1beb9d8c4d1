package dev.crystaldb.ops;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * `repair`, as Flyway's: the history rows of applied migrations whose file changed (checksum) or was
 * renamed (description) are listed, and, once approved, get the files' checksums and descriptions,
 * all in one transaction under crystal-db's lock and SQLite's write lock. No migration SQL runs and
 * the schema is not touched; --dry-run only lists.
 */
public final class RepairService {
    /** Which database, against which migration set; dryRun lists and changes nothing. */
    public record Request(Path database, MigrationSet migrations, boolean dryRun) {
    }

    /** The rows that did not fit their files, and whether they were recorded (false: dry run, or nothing to repair). */
    public record Result(Path database, List<MigrationEngine.Repair> repairs, boolean recorded) {
    }

    private final Consumer<String> notices;
    private final Duration lockTimeout;

    public RepairService(Consumer<String> notices, Duration lockTimeout) {
        this.notices = notices;
        this.lockTimeout = lockTimeout;
    }

    /** approve is asked about the listed rows before anything is written; false cancels (exit 1). */
    public Result repair(Request request, Predicate<List<MigrationEngine.Repair>> approve) {
        if (request.dryRun()) {
            SqliteDatabase database = SqliteDatabase.forReading(request.database(), lockTimeout);
            MigrationEngine engine = new MigrationEngine(database, request.migrations());
            return new Result(database.file(), engine.repairsNeeded(sameSet(engine)), false);
        }
        try (LockedDatabase locked = LockedDatabase.forChange(request.database(), false, lockTimeout, notices)) {
            SqliteDatabase database = locked.database();
            MigrationEngine engine = new MigrationEngine(database, request.migrations());
            List<MigrationEngine.Repair> repairs = engine.repairsNeeded(sameSet(engine));
            if (repairs.isEmpty()) {
                return new Result(database.file(), repairs, false);
            }
            if (!approve.test(repairs)) {
                throw LockedDatabase.cancelled();
            }
            try (WriteTransaction unit = database.beginWrite(notices)) {
                engine.repair(repairs, unit);
                unit.commit();
            }
            return new Result(database.file(), repairs, true);
        }
    }

    /** The history, refused when another set wrote it: repair would record this set's checksums over that set's. */
    private static DatabaseState sameSet(MigrationEngine engine) {
        DatabaseState state = engine.inspect();
        engine.requireSameSet(state);
        return state;
    }
}
