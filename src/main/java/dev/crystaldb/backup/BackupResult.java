package dev.crystaldb.backup;

import java.nio.file.Path;

/** A finished, verified backup file; reused when it was taken by an earlier run and still holds what the database holds. */
public record BackupResult(Path file, long bytes, long millis, boolean reused) {
    public BackupResult(Path file, long bytes, long millis) {
        this(file, bytes, millis, false);
    }
}
