package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Records a target as the current version without running SQL, inside the caller's write
 * transaction: forward by letting Flyway record the pending migrations unexecuted, back by removing
 * rows; with dropAlembicVersion the alembic_version table goes too.
 */
final class StampOperation {
    private final SqliteDatabase database;
    private final MigrationSet migrations;
    private final FlywayAdapter flyway;

    StampOperation(SqliteDatabase database, MigrationSet migrations, FlywayAdapter flyway) {
        this.database = database;
        this.migrations = migrations;
        this.flyway = flyway;
    }

    UpgradeResult run(Optional<Version> target, boolean dropAlembicVersion, WriteTransaction unit) {
        DatabaseState state = HistoryInspection.inspect(database, migrations);
        Optional<Version> current = state.current().map(HistoryEntry::version);
        refuseUnwrittenUpTo(state, target);
        List<UpgradeResult.Step> steps = new ArrayList<>();
        SchemaHistoryTable history = new SchemaHistoryTable(unit.connection());
        try {
            history.createIfMissing();
            for (HistoryEntry entry : state.entries()) {
                boolean above = target.isEmpty() || entry.version().compareTo(target.get()) > 0;
                if (entry.installedRank() != null && above) {
                    history.deleteRow(entry.installedRank(), entry.version());
                }
            }
            if (target.isPresent() && (current.isEmpty() || current.get().compareTo(target.get()) < 0)) {
                for (FlywayAdapter.Applied recorded : flyway.recordWithoutRunning(unit, target.get())) {
                    steps.add(new UpgradeResult.Step(recorded.version(), recorded.description(), recorded.script(), 0));
                    history.recordStatements(migrations.script(migrations.forward(recorded.version()).orElseThrow()));
                }
            }
            if (dropAlembicVersion) {
                history.dropAlembicVersion();
            }
        } catch (SQLException | RuntimeException e) {
            throw database.translate(e, "stamp " + database.file());
        }
        return new UpgradeResult(current, target, steps, 0);
    }

    /** Exit 2 when a pending migration up to target is still an unwritten template: a template is never recorded as applied. */
    void refuseUnwrittenUpTo(DatabaseState state, Optional<Version> target) {
        for (HistoryEntry entry : state.pending()) {
            if (target.isPresent() && entry.version().compareTo(target.get()) <= 0) {
                migrations.script(migrations.forward(entry.version()).orElseThrow()).unwritten().ifPresent(refusal -> {
                    throw CrystalDbException.usage(refusal + "; a template is never recorded as applied");
                });
            }
        }
    }
}
