package dev.crystaldb.cli;

import picocli.CommandLine.Model.CommandSpec;

import java.util.Map;
import java.util.Optional;

/**
 * Commands and options of Flyway and Alembic that their users type out of habit. Those that mean
 * what a crystal-db command does are aliases on the command itself (`migrate` is upgrade, `info`
 * is history, `current` is status); these mean something else here, so they are refused (exit 2)
 * with what does what the user is after.
 */
final class ForeignNames {
    /** What to type instead and how it differs; for an option, needs is the option or parameter label the command must have for the hint to fit. */
    private record Hint(String tool, String instead, String needs, String why) {
        Hint(String tool, String instead, String why) {
            this(tool, instead, instead, why);
        }

        String text() {
            return "; did you mean `" + instead + "`? (" + tool + "; " + why + ")";
        }
    }

    private static final Map<String, Hint> COMMANDS = Map.of(
            "baseline", new Hint("Flyway's baseline", "stamp VERSION",
                    "stamp records a version without running SQL; `stamp --detect` finds it from the schema"),
            "validate", new Hint("Flyway's validate", "verify",
                    "verify checks the applied migrations against the files, and integrity and drift; `lint` checks the files alone"),
            "undo", new Hint("Flyway's undo", "downgrade -1", "runs the undo script of the newest applied migration"),
            "clean", new Hint("Flyway's clean", "downgrade base",
                    "crystal-db never drops everything: downgrade base runs every undo script, `rollback` restores a backup"),
            "heads", new Hint("Alembic's heads", "history", "a crystal-db migration set has one head, the last version history lists"),
            "show", new Hint("Alembic's show", "history", "it lists the migrations; `upgrade FROM:TO --dry-run` prints their SQL"),
            "revision", new Hint("Alembic's revision", "new DESCRIPTION",
                    "it writes the next V/U pair; `new DESCRIPTION --from SCHEMA` in place of --autogenerate"));

    private static final Map<String, Hint> OPTIONS = Map.of(
            "--sql", new Hint("Alembic's offline mode", "--dry-run", "FROM:TO --dry-run prints the SQL of a range without a database"),
            "--autogenerate", new Hint("Alembic's --autogenerate", "--from", "--from SCHEMA: the schema wanted, a .sql file or an SQLite database"),
            "-m", new Hint("Alembic's -m MESSAGE", "new DESCRIPTION", "DESCRIPTION", "the description is the argument: `new add avatar url`"),
            "--message", new Hint("Alembic's --message", "new DESCRIPTION", "DESCRIPTION", "the description is the argument: `new add avatar url`"));

    private ForeignNames() {
    }

    /** "; did you mean `stamp VERSION`? (Flyway's baseline; ...)" for a Flyway or Alembic command crystal-db does not have under that name. */
    static Optional<String> command(String typed) {
        return Optional.ofNullable(COMMANDS.get(typed)).map(Hint::text);
    }

    /** The same for a Flyway or Alembic option (--sql=... too), when the command has what it means. */
    static Optional<String> option(String typed, CommandSpec command) {
        int equals = typed.indexOf('=');
        Hint hint = OPTIONS.get(equals < 0 ? typed : typed.substring(0, equals));
        if (hint == null) {
            return Optional.empty();
        }
        boolean has = command.findOption(hint.needs()) != null
                || command.positionalParameters().stream().anyMatch(p -> p.paramLabel().equals(hint.needs()));
        return has ? Optional.of(hint.text()) : Optional.empty();
    }
}
