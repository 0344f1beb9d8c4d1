package dev.crystaldb.migrate;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One migration script: V (forward) or U (its undo), its version, description and SQL text. */
public record MigrationFile(Kind kind, Version version, String description, String fileName, String sql) {

    public enum Kind { FORWARD, UNDO }

    private static final Pattern NAME = Pattern.compile("([VU])(\\d+(?:[._]\\d+)*)__(.+)\\.sql");

    /** Parses a file name; null when it is not V&lt;version&gt;__&lt;description&gt;.sql or U... */
    public static MigrationFile parse(String fileName, String sql) {
        Matcher matcher = NAME.matcher(fileName);
        if (!matcher.matches()) {
            return null;
        }
        Kind kind = matcher.group(1).equals("V") ? Kind.FORWARD : Kind.UNDO;
        Version version = Version.parseOrNull(matcher.group(2));
        String description = matcher.group(3).replace('_', ' ').trim();
        if (description.isEmpty()) {
            return null;
        }
        return new MigrationFile(kind, version, description, fileName, stripByteOrderMark(sql));
    }

    private static final Pattern ALEMBIC = Pattern.compile("(?m)^\\s*--\\s*alembic-revision:\\s*(\\S+)");

    /** The Alembic revision this migration replaces, from a header line {@code -- alembic-revision: 515954c99c28}. */
    public Optional<String> alembicRevision() {
        Matcher matcher = ALEMBIC.matcher(sql);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static String stripByteOrderMark(String sql) {
        return sql.startsWith("\uFEFF") ? sql.substring(1) : sql;
    }
}
