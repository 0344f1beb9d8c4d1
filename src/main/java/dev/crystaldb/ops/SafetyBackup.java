package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.SqliteDatabase;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The automatic backup a change takes first (pre-upgrade, pre-downgrade), called while the change
 * holds SQLite's write lock: it is exactly the state the change starts from. A backup that fails
 * stops the change (the exception propagates before anything is applied).
 */
final class SafetyBackup {
    private SafetyBackup() {
    }

    static Optional<BackupResult> take(BackupWriter writer, SqliteDatabase database, Path directory, String reason, boolean wanted,
                                       Consumer<String> notices) {
        if (!wanted || !database.exists()) {
            return Optional.empty(); // a database created by this very change has nothing to lose
        }
        notices.accept("backing up " + database.file() + " ...");
        BackupResult backup = writer.write(database, directory, reason, false);
        notices.accept("backup: " + backup.file());
        return Optional.of(backup);
    }
}
