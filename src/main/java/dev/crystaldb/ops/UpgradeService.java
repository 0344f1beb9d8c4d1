package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.DatabaseFileChecks;
import dev.crystaldb.db.FileOwner;
import dev.crystaldb.db.SafeDirectory;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.UpgradePlan;
import dev.crystaldb.migrate.UpgradeHold;
import dev.crystaldb.migrate.UpgradeResult;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.progress.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * `upgrade`, in the one order that loses nothing: crystal-db's lock; the plan (reading only);
 * when something is pending, the rehearsal if asked and the operator's approval; SQLite's write
 * lock; the pre-upgrade backup, taken under it; every pending migration as one unit with its
 * checks; commit. Nothing is backed up when nothing is pending (systemd may restart a failing
 * service in a loop) or when the write lock cannot be had (exit 3 leaves no backup behind).
 */
public final class UpgradeService {
    /**
     * What to upgrade: target null means head; backupDirectory is where the pre-upgrade backup goes;
     * releaseHold applies versions a rollback or downgrade held back (see {@link UpgradeHold}).
     */
    public record Request(Path database, MigrationSet migrations, String target, boolean create, boolean backup,
                          boolean rehearse, Path backupDirectory, boolean releaseHold) {
    }

    /** What an upgrade did; created when this run made the database file; releasedHold, the hold it ended. */
    public record Result(Path database, UpgradeResult upgrade, Optional<BackupResult> backup,
                         Optional<RehearsalService.Result> rehearsal, boolean created, Optional<UpgradeHold> releasedHold) {
    }

    private final BackupWriter writer;
    private final Progress progress;
    private final Consumer<String> notices;
    private final Duration lockTimeout;

    public UpgradeService(BackupWriter writer, Progress progress, Consumer<String> notices, Duration lockTimeout) {
        this.writer = writer;
        this.progress = progress;
        this.notices = notices;
        this.lockTimeout = lockTimeout;
    }

    /**
     * Runs the upgrade. approve sees the plan (to show it, and on a terminal to ask) after the
     * rehearsal and before anything changes; false cancels, exit 1.
     */
    public Result upgrade(Request request, Predicate<UpgradePlan> approve) {
        try (LockedDatabase locked = LockedDatabase.forChange(request.database(), request.create(), lockTimeout, notices)) {
            SqliteDatabase database = locked.database();
            MigrationEngine engine = new MigrationEngine(database, request.migrations(), progress);
            UpgradePlan plan = engine.planUpgrade(request.target());
            Optional<UpgradeHold> release = holdToRelease(plan, request);
            if (plan.nothingToDo()) {
                if (release.isPresent()) {
                    releaseAlone(engine);
                }
                return new Result(database.file(), UpgradeResult.unchanged(plan.from()), Optional.empty(), Optional.empty(), false, release);
            }
            boolean creating = !database.exists();
            Optional<RehearsalService.Result> rehearsal = Optional.empty();
            if (request.rehearse() && !creating) {
                rehearsal = Optional.of(new RehearsalService(writer, progress, notices, lockTimeout).rehearse(database, request.migrations(),
                        request.backupDirectory(), request.target()));
                notices.accept("rehearsal passed: " + rehearsal.get().upgrade().steps().size() + " migration(s) in "
                        + rehearsal.get().upgrade().totalMillis() + " ms on the copy");
            }
            if (!approve.test(plan)) {
                throw LockedDatabase.cancelled();
            }
            boolean fileWasThere = Files.exists(database.file());
            Optional<BackupResult> backup = Optional.empty();
            UpgradeResult result;
            try (WriteTransaction unit = database.beginWrite(notices)) {
                backup = SafetyBackup.take(writer, database, request.backupDirectory(), "pre-upgrade", request.backup(), notices);
                result = engine.upgrade(plan, unit);
                if (release.isPresent()) {
                    engine.releaseHold(unit); // with the migrations it held back: both or neither
                }
                unit.commit();
            } catch (RuntimeException e) {
                if (!fileWasThere) {
                    removeCreatedFile(database.file());
                }
                SafetyBackup.withdrawWhenBusy(writer, backup, e, notices);
                throw e;
            }
            if (!fileWasThere) {
                giveToDirectoryOwner(database.file()); // after the commit: a failure here must not delete the upgraded database
            }
            return new Result(database.file(), result, backup, rehearsal, creating, release);
        }
    }

    /**
     * Refuses, exit 3, an upgrade that would apply again, unchanged, versions a rollback or downgrade
     * took back out; returns the hold this upgrade ends: every hold with --release-hold, and one whose
     * versions this set changes (the fixed release) once it applies something. A no-op upgrade with
     * another set (the previous release, which lacks them) leaves the hold for the next one.
     */
    private Optional<UpgradeHold> holdToRelease(UpgradePlan plan, Request request) {
        Optional<UpgradeHold> hold = plan.state().hold();
        if (hold.isEmpty()) {
            if (request.releaseHold()) {
                notices.accept("no upgrade hold to release on " + request.database());
            }
            return Optional.empty();
        }
        if (request.releaseHold()) {
            notices.accept("releasing the upgrade hold (" + hold.get().reason() + " took back versions " + hold.get().versionList()
                    + "): --release-hold");
            return hold;
        }
        List<Version> planned = plan.scripts().stream().map(script -> script.file().version()).toList();
        List<Version> held = plan.state().heldPending(request.migrations()).stream().filter(planned::contains).toList();
        if (!held.isEmpty()) {
            throw new CrystalDbException(ExitCode.BUSY, "upgrade held: " + describe(hold.get()) + " took back version(s) "
                    + hold.get().versionList() + ", and this migration set would apply " + join(held) + " again unchanged; "
                    + "ship a release that changes them, or apply them anyway with `crystal-db upgrade --release-hold`; nothing was changed");
        }
        if (plan.nothingToDo() || hold.get().holds(request.migrations())) {
            return Optional.empty();
        }
        notices.accept("releasing the upgrade hold (" + describe(hold.get()) + " took back versions " + hold.get().versionList()
                + "): this migration set changes " + join(hold.get().changedIn(request.migrations())) + " (a new release)");
        return hold;
    }

    private static String describe(UpgradeHold hold) {
        return hold.reason() + (hold.since() == null ? "" : " at " + hold.since());
    }

    private static String join(List<Version> versions) {
        return String.join(", ", versions.stream().map(Version::toString).toList());
    }

    /** --release-hold with nothing to apply: only the hold goes, under SQLite's write lock. */
    private void releaseAlone(MigrationEngine engine) {
        try (WriteTransaction unit = engine.database().beginWrite(notices)) {
            engine.releaseHold(unit);
            unit.commit();
        }
    }

    /** Reads only, and creates nothing: what upgrade would run (--dry-run); with create a missing database is planned as empty. */
    public UpgradePlan plan(Path file, boolean create, MigrationSet migrations, String target) {
        SqliteDatabase database = create && (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || DatabaseFileChecks.isEmptyFile(file))
                ? SqliteDatabase.creating(file, lockTimeout) : SqliteDatabase.forReading(file, lockTimeout);
        return new MigrationEngine(database, migrations).planUpgrade(target);
    }

    /** A database a root run created belongs to whoever owns its directory (the app's user), as the app expects. */
    private static void giveToDirectoryOwner(Path file) {
        try (SafeDirectory directory = SafeDirectory.open(file.getParent())) {
            directory.giveTo(file.getFileName().toString(), FileOwner.of(file.getParent()));
        } catch (IOException e) {
            throw CrystalDbException.failed("the database was created and upgraded, but giving it to the owner of " + file.getParent()
                    + " failed: " + e.getMessage() + "; chown it by hand", e);
        }
    }

    /** A file this run created (--create) goes again when the upgrade fails, so nothing is left changed. */
    private static void removeCreatedFile(Path file) {
        try (SafeDirectory directory = SafeDirectory.open(file.getParent())) {
            String name = file.getFileName().toString();
            directory.deleteIfExists(name);
            for (String suffix : DatabaseFileChecks.SIDE_FILES) {
                directory.deleteIfExists(name + suffix);
            }
        } catch (IOException ignored) {
            // an empty new database left behind is harmless
        }
    }
}
