package dev.crystaldb.schema;

import java.util.Locale;

/** Normalizes SQL text for comparison: whitespace, keyword and identifier case, identifier quotes. */
public final class SqlText {
    private SqlText() {
    }

    private static boolean isWordEnd(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '\'';
    }

    public static String normalize(String sql) {
        if (sql == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = sql.length();
        boolean pendingSpace = false;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                pendingSpace = true;
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                pendingSpace = true;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
                pendingSpace = true;
                continue;
            }
            String token;
            if (c == '\'') {
                int j = i + 1;
                while (j < n && !(sql.charAt(j) == '\'' && (j + 1 >= n || sql.charAt(j + 1) != '\''))) {
                    j += sql.charAt(j) == '\'' ? 2 : 1;
                }
                token = sql.substring(i, Math.min(n, j + 1)); // string literals keep their case
                i = Math.min(n, j + 1);
            } else if (c == '"' || c == '`' || c == '[') {
                char closing = c == '[' ? ']' : c;
                int j = sql.indexOf(closing, i + 1);
                j = j < 0 ? n : j;
                token = sql.substring(i + 1, j).toLowerCase(Locale.ROOT);
                i = Math.min(n, j + 1);
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$' || sql.charAt(j) == '.')) {
                    j++;
                }
                token = sql.substring(i, j).toLowerCase(Locale.ROOT);
                i = j;
            } else {
                token = String.valueOf(c);
                i++;
            }
            // a space matters only between two words (or literals): "a = b" and "a=b" are the same SQL
            if (pendingSpace && out.length() > 0 && isWordEnd(out.charAt(out.length() - 1)) && isWordEnd(token.charAt(0))) {
                out.append(' ');
            }
            out.append(token);
            pendingSpace = false;
        }
        String result = out.toString();
        return result.endsWith(";") ? result.substring(0, result.length() - 1) : result;
    }
}
