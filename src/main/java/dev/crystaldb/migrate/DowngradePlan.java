package dev.crystaldb.migrate;

import java.util.List;
import java.util.Optional;

/** The undo scripts a downgrade will run, newest first, with the history rows they remove. */
public record DowngradePlan(Optional<Version> from, Optional<Version> target, List<Undo> undos) {
    /** One undo script and the applied migration it reverses. */
    public record Undo(HistoryEntry applied, MigrationScript script) {
    }

    public boolean nothingToDo() {
        return undos.isEmpty();
    }
}
