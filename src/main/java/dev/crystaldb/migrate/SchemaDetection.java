package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

        /** How the live schema is written differently from a version's, in ways that change nothing in SQLite. */
        public List<String> equivalencesTo(SchemaTimeline.Point point) {
            return live.compareWith(point.schema()).equivalences();
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
        // first pass: table names only; fingerprints only for the versions closest by tables
        int[] distances = SchemaTimeline.tableDistances(migrations, live.tableNames());
        int fewest = Arrays.stream(distances).min().orElse(0);
        Set<Integer> candidates = new TreeSet<>();
        for (int step = 0; step < distances.length; step++) {
            if (distances[step] == fewest) {
                candidates.add(step);
            }
        }
        Map<Integer, SchemaFingerprint> schemas = SchemaTimeline.at(migrations, candidates);
        List<SchemaTimeline.Point> matches = new ArrayList<>();
        SchemaTimeline.Point closest = null;
        int closestDistance = Integer.MAX_VALUE;
        for (Map.Entry<Integer, SchemaFingerprint> entry : schemas.entrySet()) {
            SchemaTimeline.Point point = new SchemaTimeline.Point(SchemaTimeline.versionOf(migrations, entry.getKey()), entry.getValue());
            int distance = live.distanceFrom(entry.getValue());
            if (distance == 0) {
                matches.add(point);
            }
            if (distance <= closestDistance) { // the later version wins a tie
                closest = point;
                closestDistance = distance;
            }
        }
        Optional<Version> mapped = alembicRevision.flatMap(migrations::forAlembicRevision).map(MigrationFile::version);
        boolean confirmed = mapped.isPresent() && matches.stream().anyMatch(p -> p.version().equals(mapped));
        return new Result(live, matches, alembicRevision, mapped, confirmed, closest, live.differencesFrom(closest.schema()));
    }

}
