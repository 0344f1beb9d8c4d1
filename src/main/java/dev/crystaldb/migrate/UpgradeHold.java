package dev.crystaldb.migrate;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The versions a rollback or downgrade took back out, recorded in the database itself so that the
 * next `upgrade` (systemd's ExecStartPre= at a restart, a reboot, Restart=on-failure) does not
 * apply the same migrations again. The hold stands while the migration set still carries the held
 * versions as they were applied (same statements); a set that changes or drops one of them is a new
 * release and releases it, and so does `upgrade --release-hold`. Stored by {@link SchemaHistoryTable}.
 */
public record UpgradeHold(String reason, Instant since, List<Held> versions) {
    /**
     * One held version as it was applied: the Flyway checksum of its file and, where crystal-db
     * recorded it, the checksum of its statements (so that an edit of comments alone is still the
     * same release). Null checksums: unknown, held whatever the file says.
     */
    public record Held(Version version, String script, Integer flywayChecksum, Integer statementsChecksum) {
    }

    public UpgradeHold {
        versions = versions.stream().sorted(Comparator.comparing(Held::version)).toList();
    }

    /** "5, 6, 7" */
    public String versionList() {
        return versions.stream().map(h -> h.version().toString()).collect(Collectors.joining(", "));
    }

    /** The versions held, for lookups. */
    public List<Version> heldVersions() {
        return versions.stream().map(Held::version).toList();
    }

    /**
     * Whether the set is the release that was taken back: it carries every held version, each still
     * running what was applied. Otherwise the held versions changed (a fixed release), and the hold is over.
     */
    public boolean holds(MigrationSet migrations) {
        return changedIn(migrations).isEmpty();
    }

    /** The held versions the set changed or dropped since they were taken back. */
    public List<Version> changedIn(MigrationSet migrations) {
        List<Version> changed = new ArrayList<>();
        for (Held held : versions) {
            Optional<MigrationFile> file = migrations.forward(held.version());
            if (file.isEmpty()) {
                changed.add(held.version());
                continue;
            }
            MigrationScript script = migrations.script(file.get());
            boolean same = held.statementsChecksum() != null ? held.statementsChecksum() == StatementChecksums.of(script)
                    : held.flywayChecksum() == null || held.flywayChecksum() == ScriptChecksum.of(script.runnableSql());
            if (!same) {
                changed.add(held.version());
            }
        }
        return changed;
    }

    /**
     * What a database had applied that another copy of it (the restored backup, the downgraded
     * database) no longer has: the versions to hold. Baselines are left out: upgrade never applies them.
     */
    public static List<Held> takenBack(List<Held> appliedBefore, List<Held> appliedAfter) {
        Map<Version, Held> after = new HashMap<>();
        appliedAfter.forEach(h -> after.put(h.version(), h));
        return appliedBefore.stream().filter(h -> !after.containsKey(h.version())).toList();
    }

    /** The successfully applied, non-baseline versions of a history, with their checksums, as {@link Held} entries. */
    static List<Held> appliedIn(SchemaHistoryTable history) throws SQLException {
        Map<Version, StatementChecksums.Recorded> statements = history.statementChecksums();
        List<Held> applied = new ArrayList<>();
        for (HistoryRow row : history.rows()) {
            if (row.success() && row.version() != null && !row.isBaseline()) {
                StatementChecksums.Recorded recorded = statements.get(row.version());
                Integer statementsChecksum = recorded != null && Objects.equals(recorded.flywayChecksum(), row.checksum())
                        ? recorded.statementsChecksum() : null;
                applied.add(new Held(row.version(), row.script(), row.checksum(), statementsChecksum));
            }
        }
        return applied;
    }
}
