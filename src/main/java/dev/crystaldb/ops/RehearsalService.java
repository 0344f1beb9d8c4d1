package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.FileOwner;
import dev.crystaldb.db.SafeDirectory;
import dev.crystaldb.db.ScratchDirectory;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaDetection;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.migrate.UpgradePlan;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.progress.Progress;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * "Test the migration on a copy of production first", done for the operator: copies the database
 * with the backup writer into a scratch directory, runs the real upgrade on the copy with every
 * check (foreign keys, integrity, and the schema against the one expected at the target), reports
 * what happened and deletes the copy. The real database is only read.
 */
public final class RehearsalService {
    /** A passed rehearsal (a failed one throws): the steps that ran on the copy, and how long copying took. */
    private final Duration lockTimeout;

    /** The database rehearsed on (only read), the upgrade of the copy and how long the copy took. */
    public record Result(Path database, UpgradeResult upgrade, long copyMillis) {
    }

    private final BackupWriter writer;
    private final Progress progress;
    private final Consumer<String> notices;

    public RehearsalService(BackupWriter writer, Progress progress, Consumer<String> notices, Duration lockTimeout) {
        this.lockTimeout = lockTimeout;
        this.writer = writer;
        this.progress = progress;
        this.notices = notices;
    }

    /** Throws the failure the real upgrade would meet (exit 1, or 4 on drift); returns the report otherwise. */
    public Result rehearse(Path file, MigrationSet migrations, Path backupDirectory, String target) {
        return rehearse(SqliteDatabase.forReading(file, lockTimeout), migrations, backupDirectory, target);
    }

    /** The same on a database the caller opened (upgrade --rehearse, under its lock). */
    Result rehearse(SqliteDatabase database, MigrationSet migrations, Path backupDirectory, String target) {
        // a history another set wrote is refused before the database is copied (which may take minutes) for nothing
        MigrationEngine live = new MigrationEngine(database, migrations);
        live.requireSameSet(live.inspect());
        try (SafeDirectory backups = BackupWriter.openDirectory(backupDirectory, owner(database));
             ScratchDirectory scratch = ScratchDirectory.createFor(backups)) {
            notices.accept("copying " + database.file() + " to a scratch database ...");
            BackupResult copy = writer.write(database, scratch.path(), "rehearsal", false);
            return rehearseOn(database.file(), SqliteDatabase.ownFile(copy.file(), database.lockTimeout()), migrations, target, copy.millis());
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot make a scratch copy in " + backupDirectory + ": " + e.getMessage(), e);
        }
    }

    private Result rehearseOn(Path database, SqliteDatabase rehearsal, MigrationSet migrations, String target, long copyMillis) {
        MigrationEngine engine = new MigrationEngine(rehearsal, migrations, progress);
        UpgradePlan plan = engine.planUpgrade(target);
        notices.accept("rehearsing " + plan.scripts().size() + " migration(s) on the copy ...");
        UpgradeResult result;
        try (WriteTransaction unit = rehearsal.beginWrite(notices)) {
            result = engine.upgrade(plan, unit);
            unit.commit();
        } catch (CrystalDbException e) {
            throw new CrystalDbException(e.exitCode(), "rehearsal failed: " + e.getMessage(), e);
        }
        List<String> drift;
        try (Progress.Step step = progress.start("comparing the schema of the copy with the expected one")) {
            drift = result.to()
                    .map(version -> SchemaDetection.liveSchema(rehearsal).differencesFrom(SchemaTimeline.at(migrations, version)))
                    .orElse(List.of());
        }
        if (!drift.isEmpty()) {
            throw new CrystalDbException(ExitCode.CHECK_FAILED, "rehearsal failed: after the upgrade the schema differs from version "
                    + result.to().get() + " (" + drift.get(0) + (drift.size() > 1 ? ", and " + (drift.size() - 1) + " more" : "")
                    + "); the database has drifted: run `crystal-db verify`");
        }
        return new Result(database, result, copyMillis);
    }

    private static FileOwner owner(SqliteDatabase database) {
        try {
            return FileOwner.of(database.file());
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot read the owner of " + database.file() + ": " + e.getMessage(), e);
        }
    }
}
