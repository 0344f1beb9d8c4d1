package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a change would do, worked out before anything changes: the checked, prepared scripts of an upgrade or downgrade, a stamp's target. */
final class ChangePlanner {
    private final SqliteDatabase database;
    private final MigrationSet migrations;
    private final HistoryValidation validation;

    ChangePlanner(SqliteDatabase database, MigrationSet migrations) {
        this.database = database;
        this.migrations = migrations;
        this.validation = new HistoryValidation(database, migrations);
    }

    /**
     * Checks the database and lists, prepared, what an upgrade to target would run: null or "head"
     * (the newest), "+N" (the next N pending, as Alembic's `upgrade +1`), a version or an Alembic
     * revision id of the set.
     */
    UpgradePlan planUpgrade(String targetText) {
        DatabaseState state = HistoryInspection.inspect(database, migrations);
        validation.requireConsistent(state);
        Version head = migrations.requireHead();
        Version target;
        if (targetText == null || targetText.equalsIgnoreCase("head")) {
            target = head;
        } else if (targetText.matches("\\+\\d+")) {
            target = stepsForward(state, Integer.parseInt(targetText.substring(1)));
        } else if (targetText.matches("-\\d+")) {
            throw CrystalDbException.usage("upgrade " + targetText + ": upgrade goes forward (+N, a version or head); "
                    + "to go back " + targetText.substring(1) + " step(s), use `crystal-db downgrade " + targetText + "`");
        } else {
            target = migrations.knownVersion(targetText);
        }
        Optional<Version> current = state.current().map(HistoryEntry::version);
        if (current.isPresent() && current.get().compareTo(target) > 0) {
            throw CrystalDbException.usage("database is at version " + current.get() + ", above target " + target
                    + ": use `crystal-db downgrade " + target + "` to go back");
        }
        List<MigrationScript> scripts = state.pending().stream()
                .filter(e -> e.version().compareTo(target) <= 0)
                .map(e -> migrations.script(migrations.forward(e.version()).orElseThrow()).requireRunnable())
                .toList();
        return new UpgradePlan(state, current, target, scripts);
    }

    /** The version N pending migrations up: the target of `upgrade +N`. */
    private static Version stepsForward(DatabaseState state, int steps) {
        List<HistoryEntry> pending = state.pending();
        if (steps == 0 || steps > pending.size()) {
            throw CrystalDbException.usage("cannot go forward " + steps + " step(s): " + pending.size() + " migration(s) pending"
                    + (pending.isEmpty() ? "; the database is up to date" : "; use a number from 1 to " + pending.size() + ", a version, or head"));
        }
        return pending.get(steps - 1).version();
    }

    /** Lists the undo scripts that take the database back to target: "-N", a version or Alembic revision id (which stays applied), or "base". */
    DowngradePlan planDowngrade(String targetText) {
        DatabaseState state = HistoryInspection.inspect(database, migrations);
        validation.requireConsistent(state);
        List<HistoryEntry> applied = state.applied();
        Optional<Version> target;
        if (targetText.equalsIgnoreCase("base")) {
            target = Optional.empty();
        } else if (targetText.matches("-\\d+")) {
            int steps = Integer.parseInt(targetText.substring(1));
            if (steps == 0 || steps > applied.size()) {
                throw CrystalDbException.usage("cannot go back " + steps + " step(s): " + applied.size()
                        + " migration(s) applied; use a number from 1 to " + applied.size() + ", a version, or base");
            }
            int keep = applied.size() - steps;
            target = keep == 0 ? Optional.empty() : Optional.of(applied.get(keep - 1).version());
        } else if (targetText.matches("\\+\\d+")) {
            throw CrystalDbException.usage("downgrade " + targetText + ": downgrade goes back (-N, a version or base); "
                    + "to go forward " + targetText.substring(1) + " step(s), use `crystal-db upgrade " + targetText + "`");
        } else {
            target = Optional.of(migrations.knownVersion(targetText));
        }
        Optional<Version> current = state.current().map(HistoryEntry::version);
        if (target.isPresent() && current.isPresent() && target.get().compareTo(current.get()) > 0) {
            throw CrystalDbException.usage("database is at version " + current.get() + ", below target " + target.get()
                    + ": use `crystal-db upgrade " + target.get() + "`");
        }
        List<DowngradePlan.Undo> undos = new ArrayList<>();
        for (int i = applied.size() - 1; i >= 0; i--) {
            HistoryEntry entry = applied.get(i);
            if (target.isPresent() && entry.version().compareTo(target.get()) <= 0) {
                break;
            }
            if (entry.status() == MigrationStatus.BASELINE) {
                throw CrystalDbException.usage("version " + entry.version() + " was recorded as a Flyway baseline, not applied by a script; "
                        + "cannot undo below it (restore a backup instead)");
            }
            MigrationFile forward = migrations.forward(entry.version()).orElseThrow();
            MigrationFile undo = migrations.undo(entry.version()).orElseThrow(() -> CrystalDbException.usage(
                    "no undo script for version " + entry.version() + ": add U" + forward.fileName().substring(1)
                            + " to " + migrations.origin() + ", or restore a backup with `crystal-db rollback`"));
            undos.add(new DowngradePlan.Undo(entry, migrations.script(undo).requireRunnable()));
        }
        return new DowngradePlan(current, target, undos);
    }

    /** The version a stamp TARGET ("head", "base" or a version of the set) means; empty for base. */
    Optional<Version> stampTarget(String targetText) {
        if (targetText.equalsIgnoreCase("base")) {
            return Optional.empty();
        }
        if (targetText.equalsIgnoreCase("head")) {
            return Optional.of(migrations.requireHead());
        }
        return Optional.of(migrations.knownVersion(targetText));
    }
}
