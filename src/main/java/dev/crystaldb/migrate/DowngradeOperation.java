package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.progress.Progress;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a downgrade plan inside the caller's write transaction: the undo scripts newest first, their
 * history rows removed, the checks, and an upgrade hold on the undone versions, so that the next
 * upgrade (ExecStartPre= at the next start) does not apply them straight back. The caller commits
 * only if this returns.
 */
final class DowngradeOperation {
    private final SqliteDatabase database;
    private final Progress progress;

    DowngradeOperation(SqliteDatabase database, Progress progress) {
        this.database = database;
        this.progress = progress;
    }

    DowngradeResult run(DowngradePlan plan, WriteTransaction unit) {
        if (plan.nothingToDo()) {
            return new DowngradeResult(UpgradeResult.unchanged(plan.from()), Optional.empty());
        }
        long started = System.nanoTime();
        List<UpgradeResult.Step> steps = new ArrayList<>();
        Connection connection = unit.connection();
        SchemaHistoryTable history = new SchemaHistoryTable(connection);
        try {
            List<UpgradeHold.Held> appliedBefore = UpgradeHold.appliedIn(history);
            int done = 0;
            for (DowngradePlan.Undo undo : plan.undos()) {
                long begun = System.nanoTime();
                String script = undo.script().file().fileName();
                try (Progress.Step step = progress.start("undoing " + undo.applied().version() + " "
                        + undo.script().file().description() + " (" + (++done) + " of " + plan.undos().size() + ")")) {
                    undo.script().runOn(connection, (where, e) -> new UnitChecks.Failure(where + ": " + FlywayAdapter.messageOf(e), e));
                }
                history.deleteRow(undo.applied().installedRank(), undo.applied().version());
                steps.add(new UpgradeResult.Step(undo.applied().version(), undo.script().file().description(), script,
                        (System.nanoTime() - begun) / 1_000_000));
            }
            UnitChecks.requirePass(connection, progress);
            UpgradeResult result = new UpgradeResult(plan.from(), plan.target(), steps, (System.nanoTime() - started) / 1_000_000);
            List<UpgradeHold.Held> undone = UpgradeHold.takenBack(appliedBefore, UpgradeHold.appliedIn(history));
            if (undone.isEmpty()) {
                return new DowngradeResult(result, Optional.empty());
            }
            UpgradeHold hold = new UpgradeHold("downgrade to " + result.to().map(Version::toString).orElse("base"), Instant.now(), undone);
            history.recordHold(hold);
            return new DowngradeResult(result, Optional.of(hold));
        } catch (UnitChecks.Failure e) {
            throw CrystalDbException.failed(e.getMessage() + "; nothing was undone (the whole downgrade rolled back)", e);
        } catch (SQLException | RuntimeException e) {
            throw database.translate(e, "downgrade " + database.file());
        }
    }
}
