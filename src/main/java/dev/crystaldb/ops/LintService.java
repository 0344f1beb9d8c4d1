package dev.crystaldb.ops;

import dev.crystaldb.migrate.MigrationLinter;
import dev.crystaldb.migrate.MigrationSet;

import java.util.List;

/** `lint`: the migration set checked without a database; with roundTrip each undo script is proven on a scratch database. */
public final class LintService {
    public List<MigrationLinter.Finding> lint(MigrationSet migrations, boolean roundTrip) {
        return MigrationLinter.lint(migrations, roundTrip);
    }
}
