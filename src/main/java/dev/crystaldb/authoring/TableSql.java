package dev.crystaldb.authoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A CREATE TABLE statement as sqlite_master keeps it, cut at the top-level commas of its column
 * list into column definitions and table constraints; what follows the list (WITHOUT ROWID,
 * STRICT) is kept as written.
 */
record TableSql(String sql, int bodyStart, int bodyEnd, List<String> elements) {
    private static final Set<String> CONSTRAINT_WORDS = Set.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN");

    /** Parses the statement; empty for a table without a column list in parentheses (a virtual table's USING module(...) has one, but is not parsed). */
    static Optional<TableSql> parse(String sql) {
        int open = -1;
        int i = 0;
        while (i < sql.length() && open < 0) {
            int end = SqlTokens.skip(sql, i);
            if (end > 0) {
                i = end;
            } else if (sql.charAt(i) == '(') {
                open = i;
            } else {
                i++;
            }
        }
        if (open < 0) {
            return Optional.empty();
        }
        List<String> elements = new ArrayList<>();
        int depth = 0;
        int start = open + 1;
        i = open + 1;
        while (i < sql.length()) {
            int end = SqlTokens.skip(sql, i);
            if (end > 0) {
                i = end;
                continue;
            }
            char c = sql.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (c == ')' || (c == ',' && depth == 0)) {
                elements.add(sql.substring(start, i));
                start = i + 1;
                if (c == ')') {
                    return Optional.of(new TableSql(sql, open + 1, i, List.copyOf(elements)));
                }
            }
            i++;
        }
        return Optional.empty();
    }

    /** The same table under another name, its column list and options exactly as written. */
    String named(String name) {
        return "CREATE TABLE " + SqlTokens.quote(name) + " (" + sql.substring(bodyStart, bodyEnd) + ")" + sql.substring(bodyEnd + 1);
    }

    /** A column's definition as ADD COLUMN takes it: name, type and constraints, comments left out. */
    Optional<String> column(String name) {
        for (String element : elements) {
            String text = SqlTokens.withoutComments(element);
            String first = SqlTokens.leadingIdentifier(text);
            boolean quoted = !text.isEmpty() && !Character.isLetter(text.charAt(0));
            boolean constraint = !quoted && CONSTRAINT_WORDS.contains(first.toUpperCase(Locale.ROOT));
            if (!constraint && first.equalsIgnoreCase(name)) {
                return Optional.of(text);
            }
        }
        return Optional.empty();
    }

    /** Whether the table keeps an AUTOINCREMENT sequence in sqlite_sequence. */
    boolean autoincrement() {
        return SqlTokens.hasKeyword(sql.substring(bodyStart, bodyEnd), "AUTOINCREMENT");
    }
}
