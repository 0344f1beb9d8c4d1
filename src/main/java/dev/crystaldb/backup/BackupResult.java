package dev.crystaldb.backup;

import java.nio.file.Path;

/** A finished, verified backup file. */
public record BackupResult(Path file, long bytes, long millis) {
}
