package dev.crystaldb.support;

import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.migrate.MigrationEngine;
import dev.crystaldb.migrate.UpgradeResult;

import java.util.function.Function;

/** Runs an engine step the way the ops services do: inside a write transaction that commits when it returns. */
public final class Units {
    private Units() {
    }

    public static UpgradeResult upgrade(MigrationEngine engine, String target) {
        var plan = engine.planUpgrade(target);
        return inUnit(engine, unit -> engine.upgrade(plan, unit));
    }

    public static UpgradeResult downgrade(MigrationEngine engine, String target) {
        var plan = engine.planDowngrade(target);
        return inUnit(engine, unit -> engine.downgrade(plan, unit).result());
    }

    public static UpgradeResult stamp(MigrationEngine engine, String target) {
        return inUnit(engine, unit -> engine.stamp(target, false, unit));
    }

    public static <T> T inUnit(MigrationEngine engine, Function<WriteTransaction, T> step) {
        try (WriteTransaction unit = engine.database().beginWrite(notice -> { })) {
            T result = step.apply(unit);
            unit.commit();
            return result;
        }
    }
}
