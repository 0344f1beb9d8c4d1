package dev.crystaldb.migrate;

import java.util.Optional;

/** What a downgrade did, and the upgrade hold it recorded on the undone versions (none when it undid nothing). */
public record DowngradeResult(UpgradeResult result, Optional<UpgradeHold> hold) {
}
