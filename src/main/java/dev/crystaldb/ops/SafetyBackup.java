package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The automatic backup a change takes first (pre-upgrade, pre-downgrade), called while the change
 * holds SQLite's write lock: it is exactly the state the change starts from. A backup that fails
 * stops the change (the exception propagates before anything is applied). When the newest backup
 * of the same reason still verifies and holds exactly what the database holds (the change before
 * failed and rolled back: a restart loop under systemd), that one is reused instead of a new copy.
 */
final class SafetyBackup {
    private SafetyBackup() {
    }

    static Optional<BackupResult> take(BackupWriter writer, SqliteDatabase database, Path directory, String reason, boolean wanted,
                                       Consumer<String> notices) {
        if (!wanted || !database.exists()) {
            return Optional.empty(); // a database created by this very change has nothing to lose
        }
        Optional<BackupResult> reusable = writer.reusable(database, directory, reason, notices);
        if (reusable.isPresent()) {
            notices.accept("reusing " + reason + " backup " + reusable.get().file() + ": the database has not changed since it was taken");
            return reusable;
        }
        notices.accept("backing up " + database.file() + " ...");
        BackupResult backup = writer.write(database, directory, reason, false);
        notices.accept("backup: " + backup.file());
        return Optional.of(backup);
    }

    /**
     * A change that ended busy (an app's read kept the commit from taking SQLite's exclusive
     * lock) changed nothing, so its backup is a second copy of the database as it is: it goes,
     * or every retry under systemd's Restart= would leave one more. After any other failure the
     * backup stays: the operator may need it.
     */
    static void withdrawWhenBusy(BackupWriter writer, Optional<BackupResult> backup, RuntimeException failure, Consumer<String> notices) {
        if (backup.isEmpty() || backup.get().reused() || !(failure instanceof CrystalDbException e) || e.exitCode() != ExitCode.BUSY) {
            return;
        }
        if (writer.withdraw(backup.get())) {
            notices.accept("removed " + backup.get().file().getFileName() + " again: nothing was changed");
        }
    }
}
