package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A migration file made ready to run inside crystal-db's single all-or-nothing transaction.
 * The file's own transaction control (BEGIN, COMMIT, END) and PRAGMA foreign_keys switches are
 * dropped: the unit supplies the transaction, foreign keys stay off while it runs and
 * PRAGMA foreign_key_check must pass before it commits. Statements SQLite cannot run inside a
 * transaction are refused before anything runs.
 */
public record MigrationScript(MigrationFile file, List<SqlStatement> statements, String runnableSql, List<String> refusals) {
    /** The comment `crystal-db new` puts in a template: a script that still holds it is refused, so an unwritten template is never applied. */
    public static final String UNWRITTEN_MARKER = "crystal-db: not written yet";

    /** Prepares a script; statements that cannot run in a transaction are collected in {@link #refusals()}. */
    public static MigrationScript prepare(MigrationFile file) {
        String sql = file.sql();
        List<SqlStatement> kept = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        StringBuilder runnable = new StringBuilder(sql);
        String[] lines = sql.contains(UNWRITTEN_MARKER) ? sql.split("\\R", -1) : new String[0];
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].strip().startsWith("--") && lines[i].contains(UNWRITTEN_MARKER)) {
                refusals.add(file.fileName() + " line " + (i + 1) + ": still the template crystal-db new wrote; write its SQL, then delete the line '-- "
                        + UNWRITTEN_MARKER + "...'");
            }
        }
        for (SqlStatement statement : SqlSplitter.split(sql)) {
            String refusal = refusalOf(statement);
            if (refusal != null) {
                refusals.add(file.fileName() + " line " + statement.line() + ": " + refusal);
            }
            if (isDropped(statement)) {
                // blank it out in place so line numbers and the rest of the text stay as written
                for (int k = statement.start(); k < statement.end(); k++) {
                    if (runnable.charAt(k) != '\n' && runnable.charAt(k) != '\r') {
                        runnable.setCharAt(k, ' ');
                    }
                }
            } else {
                kept.add(statement);
            }
        }
        return new MigrationScript(file, List.copyOf(kept), runnable.toString(), List.copyOf(refusals));
    }

    /** Runs the statements in order on connection; failure turns "FILE line N" and the error into what the caller throws. */
    public void runOn(Connection connection, BiFunction<String, SQLException, RuntimeException> failure) {
        for (SqlStatement statement : statements) {
            try (Statement jdbc = connection.createStatement()) {
                jdbc.execute(statement.text());
            } catch (SQLException e) {
                throw failure.apply(file.fileName() + " line " + statement.line(), e);
            }
        }
    }

    /** The refusal of a template `crystal-db new` wrote whose SQL is still to be written, if this is one. */
    public Optional<String> unwritten() {
        return refusals.stream().filter(r -> r.contains(UNWRITTEN_MARKER)).findFirst();
    }

    /** Refuses (exit 2) a script with a statement that cannot run inside the unit, naming file and line. */
    public MigrationScript requireRunnable() {
        if (!refusals.isEmpty()) {
            throw CrystalDbException.usage(refusals.get(0));
        }
        return this;
    }

    /** Why a statement cannot be part of a migration unit, or null when it can. */
    public static String refusalOf(SqlStatement statement) {
        List<String> words = statement.leadingWords(2);
        String first = words.isEmpty() ? "" : words.get(0);
        String second = words.size() > 1 ? words.get(1) : "";
        return switch (first) {
            case "VACUUM" -> "VACUUM cannot run inside a transaction; run it by hand after the upgrade (sqlite3 DB 'VACUUM')";
            case "ATTACH", "DETACH" -> first + " cannot run inside a transaction; migrations work on one database";
            case "PRAGMA" -> second.equals("JOURNAL_MODE")
                    ? "PRAGMA journal_mode cannot change inside a transaction; set it in the app or by hand, not in a migration"
                    : null;
            case "ROLLBACK" -> second.equals("TO") ? null
                    : "ROLLBACK would abandon the whole migration unit; remove it (a failing statement already rolls everything back)";
            default -> null;
        };
    }

    /** Transaction control and foreign-key switches that the unit itself provides. */
    public static boolean isDropped(SqlStatement statement) {
        List<String> words = statement.leadingWords(2);
        String first = words.isEmpty() ? "" : words.get(0);
        return switch (first) {
            case "BEGIN", "COMMIT", "END" -> true;
            case "PRAGMA" -> words.size() > 1 && words.get(1).equals("FOREIGN_KEYS");
            default -> false;
        };
    }
}
