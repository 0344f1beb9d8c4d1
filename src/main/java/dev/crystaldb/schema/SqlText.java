package dev.crystaldb.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SQL text as SQLite reads it, for comparison: tokens with comments and whitespace dropped,
 * keywords and identifiers in lower case, identifier quotes removed, string literals kept as written.
 */
public final class SqlText {
    private SqlText() {
    }

    /** What a token is; a quoted identifier is never a keyword, however it is spelt. */
    public enum Kind { WORD, IDENTIFIER, STRING, SYMBOL }

    /** One token: a bare word or number (lower case), a quoted identifier (lower case, unquoted), a string literal, or a symbol. */
    public record Token(Kind kind, String text) {
        /** A bare word equal to keyword (given in lower case). */
        public boolean is(String keyword) {
            return kind == Kind.WORD && text.equals(keyword);
        }

        public boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }
    }

    public static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
            } else if (c == '\'') {
                int j = i + 1;
                while (j < n && !(sql.charAt(j) == '\'' && (j + 1 >= n || sql.charAt(j + 1) != '\''))) {
                    j += sql.charAt(j) == '\'' ? 2 : 1;
                }
                tokens.add(new Token(Kind.STRING, sql.substring(i, Math.min(n, j + 1))));
                i = Math.min(n, j + 1);
            } else if (c == '"' || c == '`' || c == '[') {
                char closing = c == '[' ? ']' : c;
                int j = sql.indexOf(closing, i + 1);
                j = j < 0 ? n : j;
                tokens.add(new Token(Kind.IDENTIFIER, sql.substring(i + 1, j).toLowerCase(Locale.ROOT)));
                i = Math.min(n, j + 1);
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$' || sql.charAt(j) == '.')) {
                    j++;
                }
                tokens.add(new Token(Kind.WORD, sql.substring(i, j).toLowerCase(Locale.ROOT)));
                i = j;
            } else {
                tokens.add(new Token(Kind.SYMBOL, String.valueOf(c)));
                i++;
            }
        }
        return tokens;
    }

    public static String normalize(String sql) {
        if (sql == null) {
            return null;
        }
        String result = join(tokens(sql));
        return result.endsWith(";") ? result.substring(0, result.length() - 1) : result;
    }

    /** Tokens written back as one string; a space only between two words (or literals): "a = b" and "a=b" are the same SQL. */
    public static String join(List<Token> tokens) {
        StringBuilder out = new StringBuilder();
        for (Token token : tokens) {
            if (out.length() > 0 && !token.text().isEmpty() && isWordEnd(out.charAt(out.length() - 1)) && isWordEnd(token.text().charAt(0))) {
                out.append(' ');
            }
            out.append(token.text());
        }
        return out.toString();
    }

    /** An expression without the parentheses that enclose all of it: "((a >= 0))" is "a>=0". */
    public static String expression(List<Token> tokens) {
        List<Token> inner = tokens;
        while (inner.size() >= 2 && inner.get(0).isSymbol("(") && closingParenthesis(inner, 0) == inner.size() - 1) {
            inner = inner.subList(1, inner.size() - 1);
        }
        return join(inner);
    }

    public static String expression(String sql) {
        return sql == null ? null : expression(tokens(sql));
    }

    /** The index of the parenthesis closing the one at open, or the last index when it is never closed. */
    public static int closingParenthesis(List<Token> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            if (tokens.get(i).isSymbol("(")) {
                depth++;
            } else if (tokens.get(i).isSymbol(")") && --depth == 0) {
                return i;
            }
        }
        return tokens.size() - 1;
    }

    /** The parts of a token list separated by commas outside parentheses. */
    public static List<List<Token>> splitOnCommas(List<Token> tokens) {
        List<List<Token>> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token.isSymbol("(")) {
                depth++;
            } else if (token.isSymbol(")")) {
                depth--;
            } else if (depth == 0 && token.isSymbol(",")) {
                parts.add(tokens.subList(start, i));
                start = i + 1;
            }
        }
        if (start < tokens.size()) {
            parts.add(tokens.subList(start, tokens.size()));
        }
        return parts;
    }

    private static boolean isWordEnd(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '\'';
    }
}
