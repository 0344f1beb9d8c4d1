package dev.crystaldb.migrate;

import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.progress.Progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies a plan inside the caller's write transaction, which holds SQLite's write lock and
 * commits only if this returns: every script through Flyway (group mode: one transaction), the
 * history rows, the foreign-key and integrity checks, the statement checksums. On failure nothing
 * is applied and the history is as before.
 */
final class UpgradeOperation {
    private final FlywayAdapter flyway;
    private final Progress progress;

    UpgradeOperation(FlywayAdapter flyway, Progress progress) {
        this.flyway = flyway;
        this.progress = progress;
    }

    UpgradeResult run(UpgradePlan plan, WriteTransaction unit) {
        if (plan.nothingToDo()) {
            return UpgradeResult.unchanged(plan.from());
        }
        Version last = plan.scripts().get(plan.scripts().size() - 1).file().version();
        long started = System.nanoTime();
        SchemaHistoryTable history = new SchemaHistoryTable(unit.connection());
        List<FlywayAdapter.Applied> applied = flyway.migrate(unit, plan.target(), plan.scripts().size(), progress, () -> {
            UnitChecks.requirePass(unit.connection(), progress);
            for (MigrationScript script : plan.scripts()) {
                history.recordStatements(script);
            }
        });
        List<UpgradeResult.Step> steps = new ArrayList<>();
        for (FlywayAdapter.Applied step : applied) {
            steps.add(new UpgradeResult.Step(step.version(), step.description(), step.script(), step.millis()));
        }
        return new UpgradeResult(plan.from(), Optional.of(last), steps, (System.nanoTime() - started) / 1_000_000);
    }
}
