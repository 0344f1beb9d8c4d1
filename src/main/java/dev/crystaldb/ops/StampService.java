package dev.crystaldb.ops;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.HistoryEntry;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaDetection;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.schema.SchemaFingerprint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * `stamp`: crystal-db's lock; with --detect, the version the live schema is at (the Alembic
 * revision first, when the schema confirms it); then SQLite's write lock and the history rows
 * changed in one transaction, no migration SQL run.
 */
public final class StampService {
    /** target is a version, head or base; with detect it is null and worked out from the schema. */
    public record Request(Path database, MigrationSet migrations, String target, boolean detect, boolean force, boolean dropAlembicVersion) {
    }

    /** How a stamp ended: what was recorded, or why nothing had to be. */
    public enum Outcome { STAMPED, ALREADY_MATCHES, NO_TABLES }

    /** What a stamp did; stamped is present for STAMPED, recorded for ALREADY_MATCHES. */
    public record Result(Path database, Outcome outcome, Optional<UpgradeResult> stamped, Optional<Version> recorded) {
    }

    private final Consumer<String> notices;
    private final Duration lockTimeout;

    public StampService(Consumer<String> notices, Duration lockTimeout) {
        this.notices = notices;
        this.lockTimeout = lockTimeout;
    }

    /** Stamps; approve is asked about a detected version before it is recorded, false cancels (exit 1). Mismatches are exit 4. */
    public Result stamp(Request request, Predicate<String> approve) {
        try (LockedDatabase locked = LockedDatabase.forChange(request.database(), false, lockTimeout, notices)) {
            SqliteDatabase database = locked.database();
            MigrationEngine engine = new MigrationEngine(database, request.migrations());
            String version = request.target();
            if (request.detect()) {
                DatabaseState state = engine.inspect();
                Optional<HistoryEntry> recorded = state.current();
                if (recorded.isPresent() && !request.force()) {
                    requireRecordedMatches(database, request.migrations(), recorded.get().version());
                    return new Result(database.file(), Outcome.ALREADY_MATCHES, Optional.empty(), Optional.of(recorded.get().version()));
                }
                Optional<SchemaTimeline.Point> detected = detect(database, request.migrations(), state);
                if (detected.isEmpty()) {
                    return new Result(database.file(), Outcome.NO_TABLES, Optional.empty(), Optional.empty());
                }
                version = detected.get().label();
                notices.accept("the live schema matches version " + version);
                if (!approve.test(version)) {
                    throw LockedDatabase.cancelled();
                }
            }
            try (WriteTransaction unit = database.beginWrite(notices)) {
                UpgradeResult result = engine.stamp(version, request.dropAlembicVersion(), unit);
                unit.commit();
                return new Result(database.file(), Outcome.STAMPED, Optional.of(result), Optional.empty());
            }
        }
    }

    private static void requireRecordedMatches(SqliteDatabase database, MigrationSet migrations, Version recorded) {
        SchemaFingerprint expected = SchemaTimeline.at(migrations, recorded);
        List<String> drift = SchemaDetection.liveSchema(database).differencesFrom(expected);
        if (!drift.isEmpty()) {
            throw CrystalDbException.checkFailed("the database records version " + recorded
                    + " but its schema differs (" + drift.get(0) + (drift.size() > 1 ? ", and " + (drift.size() - 1) + " more" : "")
                    + "); run `crystal-db verify` for all differences, or --force to stamp the detected version");
        }
    }

    /** The one version the schema is at; empty for a database without tables of its own; exit 4 unless unique. */
    private Optional<SchemaTimeline.Point> detect(SqliteDatabase database, MigrationSet migrations, DatabaseState state) {
        SchemaDetection.Result found = SchemaDetection.detect(database, migrations, state.alembicRevision());
        found.alembicMapped().ifPresent(v -> notices.accept("alembic_version " + found.alembicRevision().orElse("")
                + " maps to version " + v + (found.alembicConfirmed() ? ", and the schema confirms it" : ", but the schema does not match it")));
        Optional<SchemaTimeline.Point> decided = found.decided();
        if (decided.isPresent()) {
            return decided.get().version().isEmpty() ? Optional.empty() : decided;
        }
        if (found.matches().size() > 1) {
            throw CrystalDbException.checkFailed("the live schema matches versions "
                    + String.join(", ", found.matches().stream().map(SchemaTimeline.Point::label).toList())
                    + " (they differ only in data); stamp the right one by hand: `crystal-db stamp VERSION`");
        }
        StringBuilder report = new StringBuilder("no version matches the live schema; the closest is " + found.closest().label() + ":\n");
        found.closestDifferences().forEach(d -> report.append("  ").append(d).append('\n'));
        notices.accept(report.toString().stripTrailing());
        throw CrystalDbException.checkFailed("no version matches the live schema (closest: " + found.closest().label() + ", "
                + found.closestDifferences().size() + " difference(s)); nothing was stamped");
    }
}
