package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Works out which version a database's live schema is at: through the Alembic revision its
 * alembic_version table names (mapped by the migration files' headers) when the schema confirms
 * it, otherwise by comparing the live schema with the schema each migration prefix produces.
 */
public final class SchemaDetection {
    /** What detection found. matches holds every version whose expected schema equals the live one. */
    public record Result(SchemaFingerprint live, List<SchemaTimeline.Point> matches, Optional<String> alembicRevision,
                         Optional<Version> alembicMapped, boolean alembicConfirmed, SchemaTimeline.Point closest,
                         List<String> closestDifferences) {

        /** The version to stamp, when detection is unambiguous (Alembic-confirmed or a single match). */
        public Optional<SchemaTimeline.Point> decided() {
            if (alembicConfirmed) {
                return matches.stream().filter(p -> p.version().equals(alembicMapped)).findFirst();
            }
            return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
        }
    }

    private SchemaDetection() {
    }

    public static SchemaFingerprint liveSchema(SqliteDatabase database) {
        try (Connection connection = database.openReadOnly()) {
            return new SchemaReader().read(connection);
        } catch (SQLException e) {
            throw database.translate(e, "read the schema of " + database.file());
        }
    }

    public static Result detect(SqliteDatabase database, MigrationSet migrations, Optional<String> alembicRevision) {
        SchemaFingerprint live = liveSchema(database);
        List<SchemaTimeline.Point> timeline = SchemaTimeline.of(migrations);
        List<SchemaTimeline.Point> matches = new ArrayList<>();
        for (SchemaTimeline.Point point : timeline) {
            // comparing table names first is cheap and rules out most versions
            if (point.schema().tableNames().equals(live.tableNames()) && point.schema().equals(live)) {
                matches.add(point);
            }
        }
        Optional<Version> mapped = alembicRevision.flatMap(revision -> migrations.forwards().stream()
                .filter(f -> f.alembicRevision().map(revision::equals).orElse(false)).map(MigrationFile::version).findFirst());
        boolean confirmed = mapped.isPresent() && matches.stream().anyMatch(p -> p.version().equals(mapped));
        SchemaTimeline.Point closest = closest(timeline, live);
        return new Result(live, matches, alembicRevision, mapped, confirmed, closest, live.differencesFrom(closest.schema()));
    }

    /** Fewest table differences first (cheap), then fewest differences overall; the later version on a tie. */
    private static SchemaTimeline.Point closest(List<SchemaTimeline.Point> timeline, SchemaFingerprint live) {
        int fewestTables = timeline.stream().mapToInt(p -> tableDistance(p.schema(), live)).min().orElse(0);
        SchemaTimeline.Point best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (SchemaTimeline.Point point : timeline) {
            if (tableDistance(point.schema(), live) == fewestTables) {
                int distance = live.distanceFrom(point.schema());
                if (distance <= bestDistance) {
                    best = point;
                    bestDistance = distance;
                }
            }
        }
        return best;
    }

    private static int tableDistance(SchemaFingerprint expected, SchemaFingerprint live) {
        int distance = 0;
        for (String table : expected.tableNames()) {
            distance += live.tableNames().contains(table) ? 0 : 1;
        }
        for (String table : live.tableNames()) {
            distance += expected.tableNames().contains(table) ? 0 : 1;
        }
        return distance;
    }
}
