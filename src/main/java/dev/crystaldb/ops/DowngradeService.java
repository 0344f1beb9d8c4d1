package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.migrate.DowngradePlan;
import dev.crystaldb.migrate.DowngradeResult;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.UpgradeHold;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.progress.Progress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * `downgrade`, in the same order as upgrade: crystal-db's lock; the plan (reading only, refusing a
 * missing undo script); the operator's approval; SQLite's write lock; the pre-downgrade backup
 * under it; the undo scripts newest first as one unit with its checks, and an upgrade hold on the
 * undone versions (so the next start's upgrade does not apply them straight back); commit.
 */
public final class DowngradeService {
    /** What to undo: target is -N, a version (which stays applied) or base. */
    public record Request(Path database, MigrationSet migrations, String target, boolean backup, Path backupDirectory) {
    }

    /** What a downgrade did; hold, the upgrade hold it recorded for the versions it undid. */
    public record Result(Path database, UpgradeResult downgrade, Optional<BackupResult> backup, Optional<UpgradeHold> hold) {
    }

    private final BackupWriter writer;
    private final Progress progress;
    private final Consumer<String> notices;
    private final Duration lockTimeout;

    public DowngradeService(BackupWriter writer, Progress progress, Consumer<String> notices, Duration lockTimeout) {
        this.writer = writer;
        this.progress = progress;
        this.notices = notices;
        this.lockTimeout = lockTimeout;
    }

    /** Runs the downgrade; approve sees the plan before anything changes, false cancels (exit 1). */
    public Result downgrade(Request request, Predicate<DowngradePlan> approve) {
        try (LockedDatabase locked = LockedDatabase.forChange(request.database(), false, lockTimeout, notices)) {
            SqliteDatabase database = locked.database();
            MigrationEngine engine = new MigrationEngine(database, request.migrations(), progress);
            DowngradePlan plan = engine.planDowngrade(request.target());
            if (plan.nothingToDo()) {
                return new Result(database.file(), UpgradeResult.unchanged(plan.from()), Optional.empty(), Optional.empty());
            }
            if (!approve.test(plan)) {
                throw LockedDatabase.cancelled();
            }
            Optional<BackupResult> backup = Optional.empty();
            try (WriteTransaction unit = database.beginWrite(notices)) {
                backup = SafetyBackup.take(writer, database, request.backupDirectory(), "pre-downgrade", request.backup(), notices);
                DowngradeResult done = engine.downgrade(plan, unit);
                unit.commit();
                return new Result(database.file(), done.result(), backup, done.hold());
            } catch (RuntimeException e) {
                SafetyBackup.withdrawWhenBusy(writer, backup, e, notices);
                throw e;
            }
        }
    }

    /** Reads only: what downgrade would run (--dry-run). */
    public DowngradePlan plan(Path database, MigrationSet migrations, String target) {
        return new MigrationEngine(SqliteDatabase.forReading(database, lockTimeout), migrations).planDowngrade(target);
    }
}
