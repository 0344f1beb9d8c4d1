package dev.crystaldb.ops;

import dev.crystaldb.authoring.MigrationAuthor;
import dev.crystaldb.authoring.Renames;
import dev.crystaldb.migrate.MigrationScaffold;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** `new`: the next V/U pair in a migration directory, as a template or written from the schema wanted (and proven first). */
public final class NewMigrationService {
    private final MigrationScaffold scaffold = new MigrationScaffold(Clock.systemUTC());

    /** The template pair to fill in; the files created. */
    public List<Path> template(Path directory, String description) {
        return scaffold.create(directory, description);
    }

    /** The pair that turns the set's head into schema, proven on a scratch database before anything is written. */
    public MigrationAuthor.Result fromSchema(Path directory, String description, Path schema, List<String> renames, boolean allowDataLoss) {
        return new MigrationAuthor(scaffold).write(directory, description, schema, Renames.parse(renames), allowDataLoss);
    }
}
