package dev.crystaldb.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A comparable description of an SQLite schema by what SQLite makes of it: tables with their
 * columns (affinity, NOT NULL, primary key and rowid alias, default by stored value, collation,
 * generated expression), indexes, foreign keys, CHECK constraints and table options as SQLite
 * reports or parses them, and triggers and views by their SQL with whitespace, case and quoting
 * normalized. Each part also keeps how it was written, so that a comparison can tell a real
 * difference from one that changes nothing in SQLite ({@link SchemaComparison}). crystal-db's own
 * history table, alembic_version and sqlite_* objects are left out.
 */
public record SchemaFingerprint(Map<String, Table> tables, Map<String, String> triggers, Map<String, String> views) {

    /**
     * A column. type is what SQLite goes by: the affinity, or in a STRICT table the strict type;
     * notNull is whether NULL is refused (always for the rowid alias, which is never NULL).
     */
    public record Column(String name, String declaredType, String type, boolean notNull, boolean declaredNotNull,
                         DefaultValue defaultValue, int primaryKeyPosition, boolean rowidAlias, String collation,
                         String generated, boolean stored) {
        @Override
        public String toString() {
            return name + (declaredType.isEmpty() ? "" : " " + declaredType) + (declaredNotNull ? " NOT NULL" : "") + defaultValue
                    + (primaryKeyPosition > 0 ? " PRIMARY KEY" + (primaryKeyPosition > 1 ? "(" + primaryKeyPosition + ")" : "") : "")
                    + (collation == null ? "" : " COLLATE " + collation)
                    + (generated == null ? "" : " AS (" + generated + ")" + (stored ? " STORED" : ""));
        }

        /** Why SQLite treats other differently from this; empty when it does not. */
        List<String> behaviourDifferences(Column other) {
            List<String> reasons = new ArrayList<>();
            if (!type.equals(other.type)) {
                reasons.add(other.type + " affinity instead of " + type);
            }
            if (notNull != other.notNull) {
                reasons.add(other.notNull ? "NULL refused" : "NULL allowed");
            }
            if (!defaultValue.meaning().equals(other.defaultValue.meaning())) {
                reasons.add("the default stores " + other.defaultValue.meaning() + " instead of " + defaultValue.meaning());
            }
            if (primaryKeyPosition != other.primaryKeyPosition) {
                reasons.add(other.primaryKeyPosition > 0 ? "part of the primary key" : "not part of the primary key");
            } else if (rowidAlias != other.rowidAlias) {
                reasons.add(other.rowidAlias ? "an alias of the rowid" : "not an alias of the rowid");
            }
            if (!Objects.equals(collation, other.collation)) {
                reasons.add("collation " + (other.collation == null ? "binary" : other.collation));
            }
            if (!Objects.equals(generated, other.generated) || stored != other.stored) {
                reasons.add(other.generated == null ? "not generated" : "generated as (" + other.generated + ")" + (other.stored ? " STORED" : ""));
            }
            return reasons;
        }

        /** Why a column that behaves the same is written differently. */
        List<String> writtenDifferences(Column other) {
            List<String> reasons = new ArrayList<>();
            if (!declaredType.equals(other.declaredType)) {
                reasons.add((declaredType.isEmpty() ? "no type" : declaredType) + " and " + (other.declaredType.isEmpty() ? "no type" : other.declaredType)
                        + " both have " + type + " affinity" + (type.startsWith("strict") ? "" : " (SQLite ignores sizes and type names)"));
            }
            if (declaredNotNull != other.declaredNotNull) {
                reasons.add("an INTEGER PRIMARY KEY is the rowid and never NULL"); // the only NOT NULL that changes nothing
            }
            if (!Objects.equals(defaultValue.written(), other.defaultValue.written())) {
                reasons.add("both defaults store " + defaultValue.meaning() + (type.startsWith("strict") ? "" : " (" + type + " affinity)"));
            }
            return reasons;
        }
    }

    /** An index. columns are the indexed terms with DESC and collation; origin is c (CREATE INDEX), u (UNIQUE) or pk. */
    public record Index(String name, List<String> columns, boolean unique, String origin, String where) implements Comparable<Index> {
        @Override
        public int compareTo(Index other) {
            return toString().compareTo(other.toString());
        }

        /** What the index does: its name and whether it came from a constraint do not change that. */
        String behaviour() {
            return (origin.equals("pk") ? "pk " : unique ? "unique " : "") + String.join(", ", columns) + (where == null ? "" : " where " + where);
        }

        @Override
        public String toString() {
            String kind = switch (origin) {
                case "u" -> "UNIQUE constraint";
                case "pk" -> "PRIMARY KEY";
                default -> (unique ? "unique index " : "index ") + name;
            };
            return kind + " (" + String.join(", ", columns) + ")" + (where == null ? "" : " WHERE " + where);
        }
    }

    /** A foreign key: columns, target table and columns (empty: the target's primary key), actions, and whether it is deferred. */
    public record ForeignKey(List<String> columns, String target, List<String> targetColumns, String onUpdate, String onDelete,
                             boolean deferred) implements Comparable<ForeignKey> {
        @Override
        public int compareTo(ForeignKey other) {
            return toString().compareTo(other.toString());
        }

        /** The key with its target columns spelt out from the target table, as SQLite resolves them. */
        ForeignKey resolvedIn(SchemaFingerprint schema) {
            Table table = schema.tables.get(target);
            if (!targetColumns.isEmpty() || table == null) {
                return this;
            }
            List<String> primaryKey = table.columns.stream().filter(c -> c.primaryKeyPosition() > 0)
                    .sorted(Comparator.comparingInt(Column::primaryKeyPosition)).map(Column::name).toList();
            return new ForeignKey(columns, target, primaryKey, onUpdate, onDelete, deferred);
        }

        @Override
        public String toString() {
            return "(" + String.join(", ", columns) + ") REFERENCES " + target
                    + (targetColumns.isEmpty() ? "" : "(" + String.join(", ", targetColumns) + ")")
                    + (onUpdate.equals("NO ACTION") ? "" : " ON UPDATE " + onUpdate)
                    + (onDelete.equals("NO ACTION") ? "" : " ON DELETE " + onDelete)
                    + (deferred ? " DEFERRABLE INITIALLY DEFERRED" : "");
        }
    }

    /** One table: columns in order, indexes, foreign keys and CHECK expressions as sets, and its options (WITHOUT ROWID, STRICT, AUTOINCREMENT). */
    public record Table(String name, List<Column> columns, Set<Index> indexes, Set<ForeignKey> foreignKeys, Set<String> checks, String options) {
        public Table {
            columns = List.copyOf(columns);
            indexes = new TreeSet<>(indexes);
            foreignKeys = new TreeSet<>(foreignKeys);
            checks = new TreeSet<>(checks);
        }
    }

    public static SchemaFingerprint of(Map<String, Table> tables, Map<String, String> triggers, Map<String, String> views) {
        return new SchemaFingerprint(new TreeMap<>(tables), new TreeMap<>(triggers), new TreeMap<>(views));
    }

    public Set<String> tableNames() {
        return tables.keySet();
    }

    /** Readable differences from expected to this (actual): "missing table x", "extra column t.c", ... Empty when SQLite sees no difference. */
    public List<String> differencesFrom(SchemaFingerprint expected) {
        return compareWith(expected).differences();
    }

    /** How far this schema is from expected: the number of differences (for "the closest version"). */
    public int distanceFrom(SchemaFingerprint expected) {
        return differencesFrom(expected).size();
    }

    /** This schema (actual) against expected: what SQLite does differently, and what is only written differently. */
    public SchemaComparison compareWith(SchemaFingerprint expected) {
        List<String> differences = new ArrayList<>();
        List<String> equivalences = new ArrayList<>();
        compareNamed("table ", expected.tables, tables, differences,
                (name, want, have) -> compareTables(name, want, have, expected, differences, equivalences));
        compareNamed("trigger ", expected.triggers, triggers, differences, (name, want, have) -> {
            if (!want.equals(have)) {
                differences.add("trigger " + name + " differs: expected " + want + ", found " + have);
            }
        });
        compareNamed("view ", expected.views, views, differences, (name, want, have) -> {
            if (!want.equals(have)) {
                differences.add("view " + name + " differs: expected " + want + ", found " + have);
            }
        });
        return new SchemaComparison(differences, equivalences);
    }

    private interface Both<T> {
        void compare(String name, T expected, T actual);
    }

    /** Reports what only one side has; hands the pairs present on both sides to both. */
    private static <T> void compareNamed(String label, Map<String, T> expected, Map<String, T> actual, List<String> out, Both<T> both) {
        Set<String> names = new TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            T want = expected.get(name);
            T have = actual.get(name);
            if (have == null) {
                out.add("missing " + label + name);
            } else if (want == null) {
                out.add("extra " + label + name);
            } else {
                both.compare(name, want, have);
            }
        }
    }

    private void compareTables(String table, Table want, Table have, SchemaFingerprint expected, List<String> differences,
                               List<String> equivalences) {
        Map<String, Column> wantColumns = byName(want.columns(), Column::name);
        Map<String, Column> haveColumns = byName(have.columns(), Column::name);
        int before = differences.size();
        compareNamed("column " + table + ".", wantColumns, haveColumns, differences, (column, w, h) -> {
            List<String> reasons = w.behaviourDifferences(h);
            if (!reasons.isEmpty()) {
                differences.add("column " + table + "." + column + " differs: expected " + w + ", found " + h + " (" + String.join("; ", reasons) + ")");
            } else if (!w.toString().equals(h.toString())) {
                equivalences.add("column " + table + "." + column + ": expected " + w + ", found " + h + "; equivalent in SQLite: "
                        + String.join("; ", w.writtenDifferences(h)));
            }
        });
        List<String> wantOrder = want.columns().stream().map(Column::name).toList();
        List<String> haveOrder = have.columns().stream().map(Column::name).toList();
        if (differences.size() == before && !wantOrder.equals(haveOrder)) {
            equivalences.add("table " + table + ": columns in the order (" + String.join(", ", haveOrder) + "), expected ("
                    + String.join(", ", wantOrder) + "); equivalent in SQLite except for SELECT * and INSERT without a column list");
        }
        compareIndexes(table, want.indexes(), have.indexes(), differences, equivalences);
        compareForeignKeys(table, want, have, expected, differences, equivalences);
        want.checks().stream().filter(c -> !have.checks().contains(c)).forEach(c -> differences.add("table " + table + ": missing CHECK (" + c + ")"));
        have.checks().stream().filter(c -> !want.checks().contains(c)).forEach(c -> differences.add("table " + table + ": extra CHECK (" + c + ")"));
        if (!want.options().equals(have.options())) {
            differences.add("table " + table + ": expected " + want.options() + ", found " + have.options());
        }
    }

    private static void compareIndexes(String table, Set<Index> want, Set<Index> have, List<String> differences, List<String> equivalences) {
        Map<String, List<Index>> haveByBehaviour = new HashMap<>();
        have.forEach(i -> haveByBehaviour.computeIfAbsent(i.behaviour(), b -> new ArrayList<>()).add(i));
        List<Index> unmatched = new ArrayList<>();
        List<Index[]> pairs = new ArrayList<>();
        for (Index w : want) {
            List<Index> candidates = haveByBehaviour.getOrDefault(w.behaviour(), new ArrayList<>());
            Index same = candidates.stream().filter(h -> h.toString().equals(w.toString())).findFirst()
                    .orElse(candidates.isEmpty() ? null : candidates.get(0));
            if (same == null) {
                unmatched.add(w);
            } else {
                candidates.remove(same);
                pairs.add(new Index[]{w, same});
            }
        }
        unmatched.forEach(i -> differences.add("table " + table + ": missing " + i));
        haveByBehaviour.values().stream().flatMap(List::stream).sorted().forEach(i -> differences.add("table " + table + ": extra " + i));
        for (Index[] pair : pairs) {
            if (!pair[0].toString().equals(pair[1].toString())) {
                equivalences.add("table " + table + ": " + pair[1] + " where " + pair[0] + " is expected; equivalent in SQLite: "
                        + (pair[0].origin().equals(pair[1].origin()) ? "an index's name does not change what it does"
                        : "a UNIQUE constraint and a unique index enforce the same"));
            }
        }
    }

    private void compareForeignKeys(String table, Table want, Table have, SchemaFingerprint expected, List<String> differences,
                                    List<String> equivalences) {
        Map<String, ForeignKey> wantKeys = byName(want.foreignKeys(), k -> k.resolvedIn(expected).toString());
        Map<String, ForeignKey> haveKeys = byName(have.foreignKeys(), k -> k.resolvedIn(this).toString());
        for (Map.Entry<String, ForeignKey> entry : wantKeys.entrySet()) {
            ForeignKey found = haveKeys.get(entry.getKey());
            if (found == null) {
                differences.add("table " + table + ": missing foreign key " + entry.getValue());
            } else if (!found.equals(entry.getValue())) {
                equivalences.add("table " + table + ": foreign key " + found + " where " + entry.getValue()
                        + " is expected; equivalent in SQLite: a reference without columns means the target's primary key");
            }
        }
        haveKeys.keySet().stream().filter(k -> !wantKeys.containsKey(k))
                .forEach(k -> differences.add("table " + table + ": extra foreign key " + haveKeys.get(k)));
    }

    private static <T> Map<String, T> byName(Iterable<T> items, Function<T, String> name) {
        Map<String, T> map = new TreeMap<>();
        items.forEach(item -> map.putIfAbsent(name.apply(item), item));
        return map;
    }
}
