package dev.crystaldb.schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What SQLite's pragmas do not report about a table, read from its CREATE TABLE text: column
 * collations, CHECK constraints (column and table ones alike: SQLite treats them the same),
 * generated columns' expressions, deferred foreign keys, AUTOINCREMENT, WITHOUT ROWID and STRICT.
 */
record TableDefinition(Map<String, ColumnClauses> columns, Set<String> checks, Map<List<String>, Boolean> deferredForeignKeys,
                       boolean withoutRowid, boolean strict, boolean autoincrement, String virtualModule) {

    /** A column's collation (null: BINARY) and, for a generated column, its expression and whether it is STORED. */
    record ColumnClauses(String collation, String generated, boolean stored) {
    }

    static TableDefinition parse(String sql) {
        List<SqlText.Token> tokens = SqlText.tokens(sql == null ? "" : sql);
        Map<String, ColumnClauses> columns = new HashMap<>();
        Set<String> checks = new TreeSet<>();
        Map<List<String>, Boolean> deferred = new HashMap<>();
        if (tokens.size() > 2 && tokens.get(1).is("virtual")) {
            int using = indexOf(tokens, "using", 0);
            return new TableDefinition(columns, checks, deferred, false, false, false,
                    using < 0 ? SqlText.join(tokens) : SqlText.join(tokens.subList(using + 1, tokens.size())));
        }
        int open = -1;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).isSymbol("(")) {
                open = i;
                break;
            }
            if (tokens.get(i).is("as")) {
                break; // CREATE TABLE ... AS SELECT: no definitions to read
            }
        }
        if (open < 0) {
            return new TableDefinition(columns, checks, deferred, false, false, false, null);
        }
        int close = SqlText.closingParenthesis(tokens, open);
        boolean autoincrement = false;
        for (List<SqlText.Token> definition : SqlText.splitOnCommas(tokens.subList(open + 1, close))) {
            if (definition.isEmpty()) {
                continue;
            }
            int start = definition.get(0).is("constraint") ? 2 : 0;
            SqlText.Token first = start < definition.size() ? definition.get(start) : definition.get(0);
            if (first.is("primary") || first.is("unique") || first.is("check") || first.is("foreign")) {
                readTableConstraint(definition.subList(start, definition.size()), checks, deferred);
            } else {
                autoincrement |= readColumn(definition, columns, checks, deferred);
            }
        }
        boolean withoutRowid = false;
        boolean strict = false;
        List<SqlText.Token> tail = tokens.subList(Math.min(close + 1, tokens.size()), tokens.size());
        for (int i = 0; i < tail.size(); i++) {
            withoutRowid |= tail.get(i).is("without") && i + 1 < tail.size() && tail.get(i + 1).is("rowid");
            strict |= tail.get(i).is("strict");
        }
        return new TableDefinition(columns, checks, deferred, withoutRowid, strict, autoincrement, null);
    }

    private static void readTableConstraint(List<SqlText.Token> constraint, Set<String> checks, Map<List<String>, Boolean> deferred) {
        SqlText.Token first = constraint.get(0);
        if (first.is("check")) {
            int open = indexOfSymbol(constraint, "(", 1);
            if (open >= 0) {
                checks.add(SqlText.expression(constraint.subList(open, SqlText.closingParenthesis(constraint, open) + 1)));
            }
        } else if (first.is("foreign")) {
            int open = indexOfSymbol(constraint, "(", 1);
            if (open >= 0) {
                int close = SqlText.closingParenthesis(constraint, open);
                List<String> from = new ArrayList<>();
                for (List<SqlText.Token> column : SqlText.splitOnCommas(constraint.subList(open + 1, close))) {
                    from.add(column.isEmpty() ? "" : column.get(0).text());
                }
                deferred.put(from, isDeferred(constraint));
            }
        }
    }

    /** Reads one column definition; true when it says AUTOINCREMENT. */
    private static boolean readColumn(List<SqlText.Token> definition, Map<String, ColumnClauses> columns, Set<String> checks,
                                      Map<List<String>, Boolean> deferred) {
        String name = definition.get(0).text();
        String collation = null;
        String generated = null;
        boolean stored = false;
        boolean autoincrement = false;
        for (int i = 1; i < definition.size(); i++) {
            SqlText.Token token = definition.get(i);
            if (token.isSymbol("(")) {
                i = SqlText.closingParenthesis(definition, i); // a type's size or a DEFAULT expression
            } else if (token.is("collate") && i + 1 < definition.size()) {
                collation = definition.get(++i).text();
            } else if (token.is("check")) {
                int open = indexOfSymbol(definition, "(", i + 1);
                if (open >= 0) {
                    int close = SqlText.closingParenthesis(definition, open);
                    checks.add(SqlText.expression(definition.subList(open, close + 1)));
                    i = close;
                }
            } else if (token.is("as")) {
                int open = indexOfSymbol(definition, "(", i + 1);
                if (open >= 0) {
                    int close = SqlText.closingParenthesis(definition, open);
                    generated = SqlText.expression(definition.subList(open, close + 1));
                    stored = close + 1 < definition.size() && definition.get(close + 1).is("stored");
                    i = close;
                }
            } else if (token.is("autoincrement")) {
                autoincrement = true;
            } else if (token.is("references")) {
                deferred.put(List.of(name), isDeferred(definition.subList(i, definition.size())));
            }
        }
        columns.put(name, new ColumnClauses(collation == null || collation.equals("binary") ? null : collation, generated, stored));
        return autoincrement;
    }

    /** DEFERRABLE INITIALLY DEFERRED (and not NOT DEFERRABLE): the key is checked at commit, not at each statement. */
    private static boolean isDeferred(List<SqlText.Token> clause) {
        for (int i = 0; i + 2 < clause.size(); i++) {
            if (clause.get(i).is("deferrable") && (i == 0 || !clause.get(i - 1).is("not"))
                    && clause.get(i + 1).is("initially") && clause.get(i + 2).is("deferred")) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(List<SqlText.Token> tokens, String keyword, int from) {
        for (int i = from; i < tokens.size(); i++) {
            if (tokens.get(i).is(keyword)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfSymbol(List<SqlText.Token> tokens, String symbol, int from) {
        for (int i = from; i < tokens.size(); i++) {
            if (tokens.get(i).isSymbol(symbol)) {
                return i;
            }
        }
        return -1;
    }

    /** The terms of a CREATE INDEX (expressions without ASC/DESC and COLLATE) and its partial WHERE, normalized. */
    record IndexTerms(List<String> terms, String where) {
        static IndexTerms parse(String sql) {
            List<SqlText.Token> tokens = SqlText.tokens(sql == null ? "" : sql);
            int on = indexOf(tokens, "on", 0);
            int open = on < 0 ? -1 : indexOfSymbol(tokens, "(", on);
            if (open < 0) {
                return new IndexTerms(List.of(), null);
            }
            int close = SqlText.closingParenthesis(tokens, open);
            List<String> terms = new ArrayList<>();
            for (List<SqlText.Token> term : SqlText.splitOnCommas(tokens.subList(open + 1, close))) {
                int end = term.size();
                if (end > 0 && (term.get(end - 1).is("asc") || term.get(end - 1).is("desc"))) {
                    end--;
                }
                if (end > 1 && term.get(end - 2).is("collate")) {
                    end -= 2;
                }
                terms.add(SqlText.expression(term.subList(0, end)));
            }
            int where = indexOf(tokens, "where", close);
            return new IndexTerms(terms, where < 0 ? null : SqlText.expression(tokens.subList(where + 1, tokens.size())));
        }
    }
}
