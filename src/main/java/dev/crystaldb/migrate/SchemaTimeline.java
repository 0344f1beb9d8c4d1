package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;
import org.sqlite.SQLiteConfig;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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

    /** Every point from base to the newest migration. */
    public static List<Point> of(MigrationSet migrations) {
        return upTo(migrations, null);
    }

    /** The schema expected at one version. */
    public static SchemaFingerprint at(MigrationSet migrations, Version version) {
        List<Point> points = upTo(migrations, version);
        return points.get(points.size() - 1).schema();
    }

    private static List<Point> upTo(MigrationSet migrations, Version last) {
        List<Point> points = new ArrayList<>();
        SchemaReader reader = new SchemaReader();
        try (Connection connection = inMemory()) {
            points.add(new Point(Optional.empty(), reader.read(connection)));
            for (MigrationFile file : migrations.forwards()) {
                if (last != null && file.version().compareTo(last) > 0) {
                    break;
                }
                apply(connection, MigrationScript.prepare(file));
                points.add(new Point(Optional.of(file.version()), reader.read(connection)));
            }
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot compute the expected schema: " + e.getMessage(), e);
        }
        return points;
    }

    /** A scratch database in memory, foreign keys off as in a real unit. */
    static Connection inMemory() throws SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite::memory:");
    }

    /** Runs a prepared script's statements; failures name the file and line (exit 1). */
    static void apply(Connection connection, MigrationScript script) {
        for (SqlStatement statement : script.statements()) {
            try (Statement jdbc = connection.createStatement()) {
                jdbc.execute(statement.text());
            } catch (SQLException e) {
                throw CrystalDbException.failed(script.file().fileName() + " line " + statement.line()
                        + " fails on a scratch database: " + e.getMessage(), e);
            }
        }
    }
}
