package dev.crystaldb.cli;

import dev.crystaldb.migrate.UpgradeHold;

import java.util.Map;

/** How every command words an upgrade hold, so status, history, rollback and downgrade say the same. */
final class HoldText {
    private HoldText() {
    }

    /** After the change that recorded it. */
    static String recorded(UpgradeHold hold) {
        return "upgrade hold recorded: `crystal-db upgrade` (also the service's ExecStartPre=) refuses to apply versions "
                + hold.versionList() + " again unchanged (exit 3) until a release changes them or you run `crystal-db upgrade --release-hold`";
    }

    /** For status and history. */
    static String standing(UpgradeHold hold) {
        return "versions " + hold.versionList() + ", since " + hold.reason() + (hold.since() == null ? "" : " at " + hold.since())
                + "; released by a release that changes them or by `crystal-db upgrade --release-hold`";
    }

    static Map<String, Object> document(UpgradeHold hold) {
        return Output.doc()
                .with("reason", hold.reason())
                .with("since", hold.since() == null ? null : hold.since().toString())
                .with("versions", hold.heldVersions().stream().map(Object::toString).toList());
    }
}
