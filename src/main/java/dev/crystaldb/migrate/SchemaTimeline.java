package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;
import org.sqlite.SQLiteConfig;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.Optional;

/**
 * The schema each migration prefix produces, computed by applying the forward scripts in order
 * to an in-memory database: entry 0 is the empty schema (base), entry k the schema after the k-th
 * migration.
 */
public final class SchemaTimeline {
    /** The schema after a version (empty version: base). */
    public record Point(Optional<Version> version, SchemaFingerprint schema) {
        public String label() {
            return version.map(Version::toString).orElse("base");
        }
    }

    private SchemaTimeline() {
    }

    /** The empty schema (base). */
    public static SchemaFingerprint base() {
        return SchemaFingerprint.of(Map.of(), Map.of(), Map.of());
    }

    /** The schema expected at one version. */
    public static SchemaFingerprint at(MigrationSet migrations, Version version) {
        int step = stepOf(migrations, version);
        return at(migrations, Set.of(step)).get(step);
    }

    /** The schema after the forward scripts up to version and then version's undo script: what `downgrade -1` from version gives. */
    public static SchemaFingerprint afterUndo(MigrationSet migrations, Version version) {
        MigrationFile undo = migrations.undo(version).orElseThrow(() -> new IllegalArgumentException("version " + version + " has no undo"));
        int step = stepOf(migrations, version);
        try (Connection connection = inMemory()) {
            for (MigrationFile forward : migrations.forwards().subList(0, step)) {
                apply(connection, migrations.script(forward));
            }
            apply(connection, migrations.script(undo));
            return new SchemaReader().read(connection);
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot compute the schema after an undo: " + e.getMessage(), e);
        }
    }

    /** The step of a version: 0 is base, k the k-th migration. */
    static int stepOf(MigrationSet migrations, Version version) {
        List<MigrationFile> forwards = migrations.forwards();
        for (int i = 0; i < forwards.size(); i++) {
            if (forwards.get(i).version().equals(version)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("version " + version + " is not in the set");
    }

    static Optional<Version> versionOf(MigrationSet migrations, int step) {
        return step == 0 ? Optional.empty() : Optional.of(migrations.forwards().get(step - 1).version());
    }

    /** How many tables differ from the given names after each step (index 0: base): cheap, no fingerprints. */
    static int[] tableDistances(MigrationSet migrations, Set<String> names) {
        List<MigrationFile> forwards = migrations.forwards();
        int[] distances = new int[forwards.size() + 1];
        try (Connection connection = inMemory()) {
            distances[0] = names.size();
            for (int i = 0; i < forwards.size(); i++) {
                apply(connection, migrations.script(forwards.get(i)));
                Set<String> current = SchemaReader.tableNames(connection);
                int distance = 0;
                for (String name : current) {
                    distance += names.contains(name) ? 0 : 1;
                }
                for (String name : names) {
                    distance += current.contains(name) ? 0 : 1;
                }
                distances[i + 1] = distance;
            }
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot compute the expected schema: " + e.getMessage(), e);
        }
        return distances;
    }

    /** The fingerprints after the given steps only, replaying the migrations up to the last of them. */
    static Map<Integer, SchemaFingerprint> at(MigrationSet migrations, Set<Integer> steps) {
        Map<Integer, SchemaFingerprint> schemas = new TreeMap<>();
        int last = steps.stream().mapToInt(Integer::intValue).max().orElse(0);
        SchemaReader reader = new SchemaReader();
        try (Connection connection = inMemory()) {
            for (int step = 0; step <= last; step++) {
                if (step > 0) {
                    apply(connection, migrations.script(migrations.forwards().get(step - 1)));
                }
                if (steps.contains(step)) {
                    schemas.put(step, reader.read(connection));
                }
            }
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot compute the expected schema: " + e.getMessage(), e);
        }
        return schemas;
    }

    /** Applies every forward script of the set in order to connection, which then holds the schema at the newest migration. */
    public static void replay(Connection connection, MigrationSet migrations) {
        for (MigrationFile forward : migrations.forwards()) {
            apply(connection, migrations.script(forward));
        }
    }

    /** A scratch database in memory, foreign keys off as in a real unit. */
    public static Connection inMemory() throws SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite::memory:");
    }

    /** Runs a prepared script's statements; failures name the file and line (exit 1). */
    static void apply(Connection connection, MigrationScript script) {
        script.runOn(connection, (where, e) -> CrystalDbException.failed(where + " fails on a scratch database: " + e.getMessage(), e));
    }
}
