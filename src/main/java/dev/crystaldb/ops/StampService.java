package dev.crystaldb.ops;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.DatabaseState;
import dev.crystaldb.migrate.HistoryEntry;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationFile;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaDetection;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.schema.SchemaComparison;
import dev.crystaldb.schema.SchemaFingerprint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * `stamp`: crystal-db's lock; with --detect, the version the live schema is at (the Alembic
 * revision first, when the schema confirms it); with a TARGET, the live schema checked against
 * TARGET's (a stamp that does not fit would have `upgrade` run migrations on the wrong schema);
 * then SQLite's write lock and the history rows changed in one transaction, no migration SQL run.
 * --dry-run works the version out and checks it the same way, without either lock, and changes nothing.
 */
public final class StampService {
    /** target is a version, head or base; with detect it is null and worked out from the schema. */
    public record Request(Path database, MigrationSet migrations, String target, boolean detect, boolean force, boolean dropAlembicVersion,
                          boolean dryRun) {
    }

    /** How a stamp ended: recorded, would be recorded (dry run), or nothing to record. */
    public enum Outcome { STAMPED, WOULD_STAMP, ALREADY_MATCHES, NO_TABLES }

    /**
     * What a stamp did or would do: the versions before and after (for ALREADY_MATCHES both the
     * recorded one), the rows recorded, what is pending then, whether alembic_version was (or
     * would be) removed, and, when --force stamped a TARGET past the schema check, what the check found.
     */
    public record Result(Path database, Outcome outcome, Optional<UpgradeResult> stamped, Optional<Version> from, Optional<Version> to,
                         List<Version> pending, boolean alembicVersionDropped, Optional<String> forcedPast) {
        Result(Path database, Outcome outcome, Optional<UpgradeResult> stamped, Optional<Version> from, Optional<Version> to,
               List<Version> pending, boolean alembicVersionDropped) {
            this(database, outcome, stamped, from, to, pending, alembicVersionDropped, Optional.empty());
        }
    }

    /** How many differences a refusal names; `verify` lists them all. */
    private static final int DIFFERENCES_NAMED = 3;

    private final Consumer<String> notices;
    private final Duration lockTimeout;

    public StampService(Consumer<String> notices, Duration lockTimeout) {
        this.notices = notices;
        this.lockTimeout = lockTimeout;
    }

    /** Stamps; approve is asked about a detected version before it is recorded, false cancels (exit 1). Mismatches are exit 4. */
    public Result stamp(Request request, Predicate<String> approve) {
        if (request.dryRun()) {
            return stamp(SqliteDatabase.forReading(request.database(), lockTimeout), request, approve);
        }
        try (LockedDatabase locked = LockedDatabase.forChange(request.database(), false, lockTimeout, notices)) {
            return stamp(locked.database(), request, approve);
        }
    }

    private Result stamp(SqliteDatabase database, Request request, Predicate<String> approve) {
        MigrationEngine engine = new MigrationEngine(database, request.migrations());
        DatabaseState state = engine.inspect();
        if (!(request.detect() && request.force())) { // --detect --force adopts such a database into this set, by its schema
            engine.requireSameSet(state);
        }
        Optional<Version> current = state.current().map(HistoryEntry::version);
        boolean dropAlembic = request.dropAlembicVersion() && state.alembicRevision().isPresent();
        Optional<Version> target;
        Optional<String> forcedPast = Optional.empty();
        if (request.detect()) {
            if (current.isPresent() && !request.force()) {
                requireRecordedMatches(database, request.migrations(), current.get());
                if (dropAlembic && !request.dryRun()) { // the fix status names for an alembic_version left behind
                    try (WriteTransaction unit = database.beginWrite(notices)) {
                        engine.dropAlembicVersion(unit);
                        unit.commit();
                    }
                }
                return new Result(database.file(), Outcome.ALREADY_MATCHES, Optional.empty(), current, current,
                        pendingAbove(request.migrations(), current), dropAlembic);
            }
            Optional<SchemaTimeline.Point> detected = detect(database, request.migrations(), state);
            if (detected.isEmpty()) {
                return new Result(database.file(), Outcome.NO_TABLES, Optional.empty(), current, current, List.of(), false);
            }
            target = detected.get().version();
            if (!request.dryRun() && !approve.test(detected.get().label())) {
                throw LockedDatabase.cancelled();
            }
        } else {
            target = engine.stampTarget(request.target());
            engine.refuseUnwrittenUpTo(state, target); // the template's own refusal (exit 2) before the schema's
            forcedPast = requireSchemaAt(database, request.migrations(), target, request.force());
        }
        if (request.dryRun()) {
            return new Result(database.file(), Outcome.WOULD_STAMP, Optional.empty(), current, target,
                    pendingAbove(request.migrations(), target), dropAlembic, forcedPast);
        }
        try (WriteTransaction unit = database.beginWrite(notices)) {
            UpgradeResult result = engine.stamp(target.map(Version::toString).orElse("base"), request.dropAlembicVersion(), unit);
            unit.commit();
            return new Result(database.file(), Outcome.STAMPED, Optional.of(result), current, target,
                    pendingAbove(request.migrations(), target), dropAlembic, forcedPast);
        }
    }

    private static List<Version> pendingAbove(MigrationSet migrations, Optional<Version> version) {
        return migrations.forwards().stream().map(MigrationFile::version).filter(v -> version.isEmpty() || v.compareTo(version.get()) > 0).toList();
    }

    /**
     * A TARGET is stamped only on a live schema that is TARGET's, exit 4 otherwise (also when
     * TARGET's schema cannot be worked out: never stamped unchecked by accident). With force it is
     * stamped anyway; the returned text says past what.
     */
    private Optional<String> requireSchemaAt(SqliteDatabase database, MigrationSet migrations, Optional<Version> target, boolean force) {
        String label = target.map(Version::toString).orElse("base");
        SchemaFingerprint expected;
        try {
            expected = target.map(v -> SchemaTimeline.at(migrations, v)).orElseGet(SchemaTimeline::base);
        } catch (CrystalDbException e) {
            String why = "the schema of version " + label + " cannot be worked out (" + e.getMessage() + ")";
            if (force) {
                return Optional.of("--force: stamping version " + label + " without checking the live schema: " + why);
            }
            throw CrystalDbException.checkFailed(why + ", so the live schema cannot be checked against it; nothing was stamped; "
                    + "`crystal-db stamp " + label + " --force` stamps it unchecked");
        }
        SchemaComparison comparison = SchemaDetection.liveSchema(database).compareWith(expected);
        List<String> differences = comparison.differences();
        if (differences.isEmpty()) {
            reportEquivalences(comparison.equivalences());
            return Optional.empty();
        }
        String named = String.join("; ", differences.subList(0, Math.min(DIFFERENCES_NAMED, differences.size())))
                + (differences.size() > DIFFERENCES_NAMED ? "; and " + (differences.size() - DIFFERENCES_NAMED) + " more" : "");
        if (force) {
            return Optional.of("--force: stamping version " + label + " although the live schema differs from it in " + differences.size()
                    + " way(s) (" + named + "); once it is stamped, `crystal-db verify` lists every difference");
        }
        throw CrystalDbException.checkFailed("the live schema does not match version " + label + " (" + named + "); nothing was stamped; "
                + "`crystal-db stamp --detect` finds the version it matches, `crystal-db stamp " + label + " --force` stamps "
                + label + " anyway (`crystal-db verify` then lists every difference)");
    }

    private void requireRecordedMatches(SqliteDatabase database, MigrationSet migrations, Version recorded) {
        SchemaComparison comparison = SchemaDetection.liveSchema(database).compareWith(SchemaTimeline.at(migrations, recorded));
        List<String> drift = comparison.differences();
        if (!drift.isEmpty()) {
            throw CrystalDbException.checkFailed("the database records version " + recorded
                    + " but its schema differs (" + drift.get(0) + (drift.size() > 1 ? ", and " + (drift.size() - 1) + " more" : "")
                    + "); run `crystal-db verify` for all differences, or --force to stamp the detected version");
        }
        reportEquivalences(comparison.equivalences());
    }

    /** The one version the schema is at; empty for a database without tables of its own; exit 4 unless unique. */
    private Optional<SchemaTimeline.Point> detect(SqliteDatabase database, MigrationSet migrations, DatabaseState state) {
        SchemaDetection.Result found = SchemaDetection.detect(database, migrations, state.alembicRevision());
        found.alembicRevision().ifPresent(revision -> notices.accept("alembic_version " + revision + found.alembicMapped()
                .map(v -> " maps to version " + v + (found.alembicConfirmed() ? ", and the schema confirms it" : ", but the schema does not match it"))
                .orElse(" is named by no migration's `-- alembic-revision:` header in " + migrations.origin()
                        + "; the version is worked out from the schema alone")));
        Optional<SchemaTimeline.Point> decided = found.decided();
        if (decided.isPresent()) {
            if (decided.get().version().isEmpty()) {
                return Optional.empty();
            }
            notices.accept("the live schema matches version " + decided.get().label());
            reportEquivalences(found.equivalencesTo(decided.get()));
            return decided;
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

    private void reportEquivalences(List<String> equivalences) {
        if (equivalences.isEmpty()) {
            return;
        }
        notices.accept(equivalences.size() + " difference(s) in how the schema is written change nothing in SQLite (not drift):");
        equivalences.stream().limit(20).forEach(e -> notices.accept("  " + e));
        if (equivalences.size() > 20) {
            notices.accept("  ... and " + (equivalences.size() - 20) + " more (`crystal-db verify` lists them all)");
        }
    }
}
