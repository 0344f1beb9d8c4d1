package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;

import java.nio.file.Path;

/** Turns the forms an operator may give for the database (--db, CRYSTAL_DB) into a file path. */
public final class DatabaseLocation {
    private DatabaseLocation() {
    }

    /**
     * Accepts a plain path, {@code jdbc:sqlite:PATH}, and SQLAlchemy's {@code sqlite:////abs/path}
     * and {@code sqlite:///relative/path}.
     */
    public static Path parse(String value) {
        if (value == null || value.isBlank()) {
            throw CrystalDbException.usage("no database given: pass --db PATH or set CRYSTAL_DB");
        }
        String raw = value.trim();
        String path;
        if (raw.startsWith("jdbc:sqlite:")) {
            path = raw.substring("jdbc:sqlite:".length());
            if (path.startsWith("file:")) {
                path = path.substring("file:".length());
            }
        } else if (raw.startsWith("sqlite:///")) {
            // SQLAlchemy: three slashes then the path, so four slashes mean an absolute path
            path = raw.substring("sqlite:///".length());
        } else if (raw.startsWith("sqlite:")) {
            throw CrystalDbException.usage("cannot read database URL '" + raw
                    + "': use sqlite:////absolute/path, sqlite:///relative/path or a plain file path");
        } else {
            path = raw;
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.isEmpty() || path.equals(":memory:") || path.startsWith(":memory:")) {
            throw CrystalDbException.usage("'" + raw + "' is not a database file: give the path of the SQLite file");
        }
        return Path.of(path).toAbsolutePath().normalize();
    }
}
