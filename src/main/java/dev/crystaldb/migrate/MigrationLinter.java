package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.schema.SchemaComparison;
import dev.crystaldb.schema.SchemaReader;
import dev.crystaldb.schema.SqlText;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks a migration set without any database: names, pairs, statements, and (optionally) undo round trips. */
public final class MigrationLinter {
    /** ERROR makes lint fail; WARNING only with --strict; NOTE never (an undo that is equivalent in SQLite, written differently). */
    public enum Severity { ERROR, WARNING, NOTE }

    /** One finding about one file. */
    public record Finding(Severity severity, String message) {
    }

    private MigrationLinter() {
    }

    public static List<Finding> lint(MigrationSet migrations, boolean roundTrip) {
        List<Finding> findings = new ArrayList<>();
        migrations.problems().forEach(p -> findings.add(new Finding(Severity.ERROR, p)));
        for (MigrationFile forward : migrations.forwards()) {
            MigrationScript script = migrations.script(forward);
            script.refusals().forEach(r -> findings.add(new Finding(Severity.ERROR, r)));
            Set<String> rebuilt = rebuiltTables(script);
            for (SqlStatement statement : script.statements()) {
                destructive(statement, rebuilt).ifPresent(what -> findings.add(new Finding(Severity.WARNING,
                        forward.fileName() + " line " + statement.line() + ": " + what + " destroys data; make sure a backup or the undo script covers it")));
            }
            Optional<MigrationFile> undo = migrations.undo(forward.version());
            if (undo.isEmpty()) {
                findings.add(new Finding(Severity.WARNING, forward.fileName() + " has no undo script (U" + forward.fileName().substring(1)
                        + "): downgrade cannot go below it"));
            } else {
                migrations.script(undo.get()).refusals().forEach(r -> findings.add(new Finding(Severity.ERROR, r)));
            }
        }
        boolean runnable = findings.stream().noneMatch(f -> f.severity() == Severity.ERROR);
        if (roundTrip && runnable) {
            findings.addAll(roundTrips(migrations));
        }
        return findings;
    }

    private static final Pattern DROP_TABLE = Pattern.compile("drop table (?:if exists )?(?:main\\.)?(\\S+)");
    private static final Pattern RENAME_TO = Pattern.compile("alter table \\S+ rename to (?:main\\.)?(\\S+)");

    /** Tables a script drops and then makes again by renaming a new table to their name: SQLite's table rebuild, which keeps the rows. */
    private static Set<String> rebuiltTables(MigrationScript script) {
        Set<String> renamedTo = new HashSet<>();
        Set<String> rebuilt = new HashSet<>();
        List<SqlStatement> statements = script.statements();
        for (int i = statements.size() - 1; i >= 0; i--) {
            String sql = SqlText.normalize(statements.get(i).text());
            Matcher rename = RENAME_TO.matcher(sql);
            Matcher drop = DROP_TABLE.matcher(sql);
            if (rename.matches()) {
                renamedTo.add(rename.group(1));
            } else if (drop.matches() && renamedTo.contains(drop.group(1))) {
                rebuilt.add(drop.group(1));
            }
        }
        return rebuilt;
    }

    private static Optional<String> destructive(SqlStatement statement, Set<String> rebuilt) {
        List<String> words = statement.leadingWords(2);
        if (words.size() == 2 && words.get(0).equals("DROP") && words.get(1).equals("TABLE")) {
            Matcher drop = DROP_TABLE.matcher(SqlText.normalize(statement.text()));
            return drop.matches() && rebuilt.contains(drop.group(1)) ? Optional.empty() : Optional.of("DROP TABLE");
        }
        if (words.size() == 2 && words.get(0).equals("ALTER") && statement.text().matches("(?is).*\\bDROP\\s+(COLUMN\\s+)?[\\w\"`\\[]+\\s*$")) {
            return Optional.of("ALTER TABLE ... DROP COLUMN");
        }
        return Optional.empty();
    }

    /**
     * Up, undo, up again for every migration in order, on one scratch database. Schemas are
     * compared by their raw signature first; fingerprints are built only when the texts differ.
     */
    private static List<Finding> roundTrips(MigrationSet migrations) {
        List<Finding> findings = new ArrayList<>();
        SchemaReader reader = new SchemaReader();
        try (Connection connection = SchemaTimeline.inMemory()) {
            String before = SchemaReader.signature(connection);
            for (MigrationFile forward : migrations.forwards()) {
                MigrationScript up = migrations.script(forward);
                if (!applies(connection, up, findings)) {
                    return findings; // later migrations would run on an unknown schema
                }
                String after = SchemaReader.signature(connection);
                Optional<MigrationFile> undo = migrations.undo(forward.version());
                if (undo.isPresent()) {
                    if (!applies(connection, migrations.script(undo.get()), findings)) {
                        return findings;
                    }
                    SchemaComparison restored = compare(reader, SchemaReader.signature(connection), before);
                    if (!restored.matches()) {
                        findings.add(new Finding(Severity.ERROR, undo.get().fileName() + " does not restore the schema before "
                                + forward.fileName() + ": " + summary(restored.differences())));
                        return findings; // what follows would run on a schema no real database has
                    }
                    restored.equivalences().forEach(e -> findings.add(new Finding(Severity.NOTE, undo.get().fileName()
                            + " restores the schema before " + forward.fileName() + " written differently: " + e)));
                    if (!applies(connection, up, findings)) {
                        return findings;
                    }
                    String again = SchemaReader.signature(connection);
                    SchemaComparison unstable = compare(reader, again, after);
                    if (!unstable.matches()) {
                        findings.add(new Finding(Severity.ERROR, forward.fileName() + " applied again after its undo gives a different schema: "
                                + summary(unstable.differences())));
                    }
                    after = again;
                }
                before = after;
            }
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot open a scratch database for the round trip: " + e.getMessage(), e);
        }
        return findings;
    }

    private static SchemaComparison compare(SchemaReader reader, String actual, String expected) throws SQLException {
        return actual.equals(expected) ? new SchemaComparison(List.of(), List.of())
                : reader.fromSignature(actual).compareWith(reader.fromSignature(expected));
    }

    private static boolean applies(Connection connection, MigrationScript script, List<Finding> findings) {
        try {
            SchemaTimeline.apply(connection, script);
            return true;
        } catch (CrystalDbException e) {
            findings.add(new Finding(Severity.ERROR, e.getMessage()));
            return false;
        }
    }

    private static String summary(List<String> differences) {
        return differences.get(0) + (differences.size() > 1 ? " (and " + (differences.size() - 1) + " more)" : "");
    }
}
