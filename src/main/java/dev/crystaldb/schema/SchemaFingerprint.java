package dev.crystaldb.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A normalized, comparable description of an SQLite schema: tables with their columns, indexes
 * and foreign keys as SQLite itself reports them (so ADD COLUMN and the same column declared in
 * CREATE TABLE compare equal), and triggers and views by their SQL with whitespace, keyword case
 * and identifier quoting normalized. crystal-db's own history table, alembic_version and sqlite_*
 * objects are left out. CHECK constraints are not compared (SQLite does not report them).
 */
public record SchemaFingerprint(Map<String, Table> tables, Map<String, String> triggers, Map<String, String> views) {

    /** A column as PRAGMA table_xinfo reports it. */
    public record Column(String name, String type, boolean notNull, String defaultValue, int primaryKeyPosition, int hidden) {
        @Override
        public String toString() {
            return name + " " + type + (notNull ? " NOT NULL" : "") + (defaultValue == null ? "" : " DEFAULT " + defaultValue)
                    + (primaryKeyPosition > 0 ? " PRIMARY KEY" + (primaryKeyPosition > 1 ? "(" + primaryKeyPosition + ")" : "") : "")
                    + (hidden > 1 ? " GENERATED" : "");
        }
    }

    /** An index by what it does, not its name: columns, uniqueness, origin (index, UNIQUE, PRIMARY KEY) and partial WHERE. */
    public record Index(List<String> columns, boolean unique, String origin, String where) implements Comparable<Index> {
        @Override
        public int compareTo(Index other) {
            return toString().compareTo(other.toString());
        }

        @Override
        public String toString() {
            String kind = switch (origin) {
                case "u" -> "UNIQUE constraint";
                case "pk" -> "PRIMARY KEY";
                default -> unique ? "unique index" : "index";
            };
            return kind + " (" + String.join(", ", columns) + ")" + (where == null ? "" : " WHERE " + where);
        }
    }

    /** A foreign key: columns, target table and columns, actions. */
    public record ForeignKey(List<String> columns, String target, List<String> targetColumns, String onUpdate, String onDelete)
            implements Comparable<ForeignKey> {
        @Override
        public int compareTo(ForeignKey other) {
            return toString().compareTo(other.toString());
        }

        @Override
        public String toString() {
            return "(" + String.join(", ", columns) + ") REFERENCES " + target + "(" + String.join(", ", targetColumns) + ")"
                    + (onUpdate.equals("NO ACTION") ? "" : " ON UPDATE " + onUpdate)
                    + (onDelete.equals("NO ACTION") ? "" : " ON DELETE " + onDelete);
        }
    }

    /** One table: columns in order, indexes and foreign keys as sets, and whether it is WITHOUT ROWID or STRICT. */
    public record Table(String name, List<Column> columns, Set<Index> indexes, Set<ForeignKey> foreignKeys, String options) {
        public Table {
            indexes = new TreeSet<>(indexes);
            foreignKeys = new TreeSet<>(foreignKeys);
        }
    }

    public static SchemaFingerprint of(Map<String, Table> tables, Map<String, String> triggers, Map<String, String> views) {
        return new SchemaFingerprint(new TreeMap<>(tables), new TreeMap<>(triggers), new TreeMap<>(views));
    }

    public Set<String> tableNames() {
        return tables.keySet();
    }

    /** Readable differences from expected to this (actual): "missing table x", "extra column t.c", ... Empty when equal. */
    public List<String> differencesFrom(SchemaFingerprint expected) {
        List<String> out = new ArrayList<>();
        compareNamed("table ", expected.tables, tables, out, (name, want, have) -> out.addAll(tableDifferences(name, want, have)));
        compareNamed("trigger ", expected.triggers, triggers, out,
                (name, want, have) -> out.add("trigger " + name + " differs: expected " + want + ", found " + have));
        compareNamed("view ", expected.views, views, out,
                (name, want, have) -> out.add("view " + name + " differs: expected " + want + ", found " + have));
        return out;
    }

    /** How far this schema is from expected: the number of differences (for "the closest version"). */
    public int distanceFrom(SchemaFingerprint expected) {
        return differencesFrom(expected).size();
    }

    private interface Changed<T> {
        void report(String name, T expected, T actual);
    }

    private static <T> void compareNamed(String label, Map<String, T> expected, Map<String, T> actual, List<String> out, Changed<T> changed) {
        Set<String> names = new TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            T want = expected.get(name);
            T have = actual.get(name);
            if (have == null) {
                out.add("missing " + label + name);
            } else if (want == null) {
                out.add("extra " + label + name);
            } else if (!want.equals(have)) {
                changed.report(name, want, have);
            }
        }
    }

    private static List<String> tableDifferences(String table, Table want, Table have) {
        List<String> out = new ArrayList<>();
        Map<String, Column> wantColumns = new TreeMap<>();
        want.columns().forEach(c -> wantColumns.put(c.name(), c));
        Map<String, Column> haveColumns = new TreeMap<>();
        have.columns().forEach(c -> haveColumns.put(c.name(), c));
        compareNamed("column " + table + ".", wantColumns, haveColumns, out,
                (column, w, h) -> out.add("column " + table + "." + column + " differs: expected " + w + ", found " + h));
        if (out.isEmpty() && !want.columns().equals(have.columns())) {
            out.add("table " + table + ": columns are in a different order");
        }
        want.indexes().stream().filter(i -> !have.indexes().contains(i)).forEach(i -> out.add("table " + table + ": missing " + i));
        have.indexes().stream().filter(i -> !want.indexes().contains(i)).forEach(i -> out.add("table " + table + ": extra " + i));
        want.foreignKeys().stream().filter(k -> !have.foreignKeys().contains(k))
                .forEach(k -> out.add("table " + table + ": missing foreign key " + k));
        have.foreignKeys().stream().filter(k -> !want.foreignKeys().contains(k))
                .forEach(k -> out.add("table " + table + ": extra foreign key " + k));
        if (!Objects.equals(want.options(), have.options())) {
            out.add("table " + table + ": expected " + want.options() + ", found " + have.options());
        }
        return out;
    }
}
