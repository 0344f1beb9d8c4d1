package dev.crystaldb.migrate;

import java.util.List;
import java.util.Optional;

/** The migrations an upgrade will apply, in order, already checked and prepared. */
public record UpgradePlan(DatabaseState state, Optional<Version> from, Version target, List<MigrationScript> scripts) {
    public boolean nothingToDo() {
        return scripts.isEmpty();
    }
}
