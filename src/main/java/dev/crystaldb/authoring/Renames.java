package dev.crystaldb.authoring;

import dev.crystaldb.errors.CrystalDbException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the operator says was renamed (--rename OLD=NEW for a table, --rename TABLE.OLD=NEW for a
 * column of TABLE as it was named before), which the two schemas alone cannot tell from a drop
 * plus an add. Names are kept as typed; SQLite compares them case-insensitively.
 */
public record Renames(Map<String, String> tables, Map<Column, String> columns) {
    /** A column by its table's name before the change and its own old name. */
    public record Column(String table, String name) {
    }

    public static Renames none() {
        return new Renames(Map.of(), Map.of());
    }

    /** Parses --rename values; a malformed one is refused (exit 2). */
    public static Renames parse(List<String> specs) {
        Map<String, String> tables = new LinkedHashMap<>();
        Map<Column, String> columns = new LinkedHashMap<>();
        for (String spec : specs) {
            int equals = spec.indexOf('=');
            String from = equals < 0 ? "" : spec.substring(0, equals).trim();
            String to = equals < 0 ? "" : spec.substring(equals + 1).trim();
            int dot = from.indexOf('.');
            if (from.isEmpty() || to.isEmpty() || to.contains(".") || dot == 0 || dot == from.length() - 1) {
                throw CrystalDbException.usage("--rename " + spec + ": write OLD=NEW for a table or TABLE.OLD=NEW for a column, "
                        + "e.g. --rename users.nick=display_name");
            }
            if (dot < 0) {
                tables.put(from, to);
            } else {
                columns.put(new Column(from.substring(0, dot), from.substring(dot + 1)), to);
            }
        }
        return new Renames(Collections.unmodifiableMap(tables), Collections.unmodifiableMap(columns));
    }

    public boolean isEmpty() {
        return tables.isEmpty() && columns.isEmpty();
    }

    /** The name a table has after the change. */
    String tableAfter(String table) {
        return tables.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(table)).map(Map.Entry::getValue).findFirst().orElse(table);
    }

    /** The name a column of table (named as before the change) has after it. */
    String columnAfter(String table, String column) {
        return columns.entrySet().stream()
                .filter(e -> e.getKey().table().equalsIgnoreCase(table) && e.getKey().name().equalsIgnoreCase(column))
                .map(Map.Entry::getValue).findFirst().orElse(column);
    }

    /**
     * Whether a name that went and one that came look like one thing renamed: the same but for
     * case, `_` and `-` (user_name, username), one inside the other (nick, nickname; email,
     * email_address), or a few edits apart (adress, address). Only what the refusal suggests
     * depends on it: every drop needs --rename or --allow-data-loss.
     */
    static boolean looksRenamed(String before, String after) {
        String a = before.toLowerCase(Locale.ROOT).replaceAll("[_-]", "");
        String b = after.toLowerCase(Locale.ROOT).replaceAll("[_-]", "");
        if (a.isEmpty() || b.isEmpty()) {
            return false;
        }
        if (Math.min(a.length(), b.length()) >= 3 && (a.contains(b) || b.contains(a))) {
            return true;
        }
        return editDistance(a, b) <= Math.max(1, Math.max(a.length(), b.length()) / 3);
    }

    /** Insertions, deletions and substitutions that turn a into b. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The same renames the other way, for the undo. */
    Renames reversed() {
        Map<String, String> backTables = new LinkedHashMap<>();
        tables.forEach((from, to) -> backTables.put(to, from));
        Map<Column, String> backColumns = new LinkedHashMap<>();
        columns.forEach((column, to) -> backColumns.put(new Column(tableAfter(column.table()), to), column.name()));
        return new Renames(Collections.unmodifiableMap(backTables), Collections.unmodifiableMap(backColumns));
    }
}
