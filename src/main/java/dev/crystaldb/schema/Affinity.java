package dev.crystaldb.schema;

import java.util.Locale;

/** SQLite's type affinity of a declared column type (https://sqlite.org/datatype3.html, section 3.1). */
public enum Affinity {
    INTEGER, TEXT, BLOB, REAL, NUMERIC;

    /** The affinity SQLite gives a column declared with this type (empty or null: no type, BLOB affinity). */
    public static Affinity of(String declaredType) {
        String type = declaredType == null ? "" : declaredType.toUpperCase(Locale.ROOT);
        if (type.contains("INT")) {
            return INTEGER;
        }
        if (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT")) {
            return TEXT;
        }
        if (type.isBlank() || type.contains("BLOB")) {
            return BLOB;
        }
        if (type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB")) {
            return REAL;
        }
        return NUMERIC;
    }
}
