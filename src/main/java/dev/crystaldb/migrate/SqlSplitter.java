package dev.crystaldb.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one SQL splitter: cuts an SQLite script into statements at top-level semicolons. It knows
 * strings ('..', ".." , `..`, [..]), -- and block comments, and trigger bodies, whose
 * BEGIN ... END (with CASE ... END inside) contain semicolons that do not end the statement.
 * CRLF line ends and comment-only scripts are fine.
 */
public final class SqlSplitter {
    private SqlSplitter() {
    }

    public static List<SqlStatement> split(String sql) {
        List<SqlStatement> statements = new ArrayList<>();
        int length = sql.length();
        int line = 1;
        int start = -1;          // offset of the current statement's first token
        int startLine = 0;
        int wordsSeen = 0;       // words of the current statement, to spot CREATE [TEMP] TRIGGER
        boolean trigger = false;
        boolean sawCreate = false;
        int blockDepth = 0;      // BEGIN ... END inside a trigger
        int caseDepth = 0;
        int i = 0;
        while (i < length) {
            char c = sql.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '-' && i + 1 < length && sql.charAt(i + 1) == '-') {
                while (i < length && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < length && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                int stop = close < 0 ? length : close + 2;
                line += count(sql, i, stop, '\n');
                i = stop;
                continue;
            }
            if (start < 0) {
                if (c == ';') {      // an empty statement
                    i++;
                    continue;
                }
                start = i;
                startLine = line;
                wordsSeen = 0;
                trigger = false;
                sawCreate = false;
                blockDepth = 0;
                caseDepth = 0;
            }
            if (c == '\'' || c == '"' || c == '`' || c == '[') {
                char closing = c == '[' ? ']' : c;
                int j = i + 1;
                while (j < length) {
                    if (sql.charAt(j) == closing) {
                        if (closing != ']' && j + 1 < length && sql.charAt(j + 1) == closing) {
                            j += 2;  // doubled quote inside the string
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                int stop = Math.min(length, j + 1);
                line += count(sql, i, stop, '\n');
                i = stop;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < length && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$')) {
                    j++;
                }
                String word = sql.substring(i, j).toUpperCase(Locale.ROOT);
                wordsSeen++;
                if (wordsSeen == 1) {
                    sawCreate = word.equals("CREATE");
                } else if (sawCreate && !trigger && wordsSeen <= 3) {
                    if (word.equals("TRIGGER")) {
                        trigger = true;
                    } else if (!(wordsSeen == 2 && (word.equals("TEMP") || word.equals("TEMPORARY")))) {
                        sawCreate = false;
                    }
                } else if (trigger) {
                    switch (word) {
                        case "BEGIN" -> blockDepth++;
                        case "CASE" -> caseDepth++;
                        case "END" -> {
                            if (caseDepth > 0) {
                                caseDepth--;
                            } else if (blockDepth > 0) {
                                blockDepth--;
                            }
                        }
                        default -> { }
                    }
                }
                i = j;
                continue;
            }
            if (c == ';' && blockDepth == 0) {
                statements.add(new SqlStatement(sql.substring(start, i).trim(), startLine, start, i + 1));
                start = -1;
                i++;
                continue;
            }
            i++;
        }
        if (start >= 0) {
            String tail = sql.substring(start).trim();
            if (!tail.isEmpty()) {
                statements.add(new SqlStatement(tail, startLine, start, length));
            }
        }
        return statements;
    }

    private static int count(String text, int from, int to, char wanted) {
        int n = 0;
        for (int k = from; k < to; k++) {
            if (text.charAt(k) == wanted) {
                n++;
            }
        }
        return n;
    }
}
