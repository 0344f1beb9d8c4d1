package dev.crystaldb.migrate;

import java.util.List;
import java.util.Optional;

/** What an upgrade or downgrade did: the steps it ran and the version before and after. */
public record UpgradeResult(Optional<Version> from, Optional<Version> to, List<Step> steps, long totalMillis) {
    /** Nothing ran: the database stays at version. */
    public static UpgradeResult unchanged(Optional<Version> version) {
        return new UpgradeResult(version, version, List.of(), 0);
    }

    /** One migration (or undo script) that ran. */
    public record Step(Version version, String description, String script, long millis) {
    }
}
