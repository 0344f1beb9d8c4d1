package dev.crystaldb.authoring;

import dev.crystaldb.schema.SqlText;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Identifiers as generated SQL writes them, and the quoted or commented stretches of SQL text that a scan must step over. */
final class SqlTokens {
    /** SQLite's keywords (https://sqlite.org/lang_keywords.html): an identifier spelled like one is quoted. */
    private static final Set<String> KEYWORDS = Set.of(("ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT "
            + "BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT "
            + "CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP "
            + "EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL "
            + "GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO "
            + "IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR "
            + "ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP "
            + "REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY "
            + "THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW "
            + "WITH WITHOUT").split(" "));
    private static final Pattern BARE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SqlTokens() {
    }

    /** An identifier as SQL: bare when it can be, otherwise in double quotes. */
    static String quote(String name) {
        return BARE.matcher(name).matches() && !KEYWORDS.contains(name.toUpperCase(Locale.ROOT))
                ? name : '"' + name.replace("\"", "\"\"") + '"';
    }

    /** A string literal. */
    static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }

    /** Where the string, quoted identifier or comment that starts at i ends (exclusive), or -1 when none starts there. */
    static int skip(String sql, int i) {
        char c = sql.charAt(i);
        if (c == '\'' || c == '"' || c == '`' || c == '[') {
            char closing = c == '[' ? ']' : c;
            int j = i + 1;
            while (j < sql.length()) {
                if (sql.charAt(j) == closing) {
                    if (closing != ']' && j + 1 < sql.length() && sql.charAt(j + 1) == closing) {
                        j += 2;
                        continue;
                    }
                    return j + 1;
                }
                j++;
            }
            return sql.length();
        }
        if (sql.startsWith("--", i)) {
            int newline = sql.indexOf('\n', i);
            return newline < 0 ? sql.length() : newline;
        }
        if (sql.startsWith("/*", i)) {
            int close = sql.indexOf("*/", i + 2);
            return close < 0 ? sql.length() : close + 2;
        }
        return -1;
    }

    /** The text without its comments, whitespace outside literals folded into single spaces. */
    static String withoutComments(String sql) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < sql.length()) {
            int end = skip(sql, i);
            char c = sql.charAt(i);
            if (end < 0 && !Character.isWhitespace(c)) {
                out.append(c);
                i++;
                continue;
            }
            if (end > 0 && c != '-' && c != '/') {
                out.append(sql, i, end); // a literal or quoted name, as written
                i = end;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                out.append(' ');
            }
            i = end > 0 ? end : i + 1;
        }
        return out.toString().trim();
    }

    /** The identifier a definition starts with, unquoted, e.g. {@code "Email" TEXT} gives Email. */
    static String leadingIdentifier(String definition) {
        String text = withoutComments(definition);
        if (text.isEmpty()) {
            return "";
        }
        int end = skip(text, 0);
        if (end > 0) {
            String quoted = text.substring(1, end - 1);
            char c = text.charAt(0);
            return c == '[' ? quoted : quoted.replace(String.valueOf(c) + c, String.valueOf(c));
        }
        int j = 0;
        while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_' || text.charAt(j) == '$')) {
            j++;
        }
        return text.substring(0, j);
    }

    /** Whether a keyword appears in SQL outside its strings, quoted names and comments. */
    static boolean hasKeyword(String sql, String keyword) {
        int i = 0;
        while (i < sql.length()) {
            int end = skip(sql, i);
            if (end > 0) {
                i = end;
            } else if (isWordChar(sql.charAt(i))) {
                int j = i;
                while (j < sql.length() && isWordChar(sql.charAt(j))) {
                    j++;
                }
                if (sql.substring(i, j).equalsIgnoreCase(keyword)) {
                    return true;
                }
                i = j;
            } else {
                i++;
            }
        }
        return false;
    }

    /** Whether SQL names an object (a table, a view) anywhere, by SQLite's case-insensitive reading; may say yes for a column of that name. */
    static boolean mentions(String sql, String name) {
        String normalized = SqlText.normalize(sql);
        String wanted = name.toLowerCase(Locale.ROOT);
        int from = 0;
        while ((from = normalized.indexOf(wanted, from)) >= 0) {
            int end = from + wanted.length();
            boolean startsWord = from == 0 || !isWordChar(normalized.charAt(from - 1));
            boolean endsWord = end == normalized.length() || !isWordChar(normalized.charAt(end));
            if (startsWord && endsWord) {
                return true;
            }
            from = end;
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
}
