package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.progress.Progress;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.errors.Failures;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Migrations for one database, with Flyway as the engine and flyway_schema_history as the record.
 * An upgrade runs every pending script as one transaction (Flyway's group mode), with foreign keys
 * off and PRAGMA foreign_key_check plus integrity_check run before it commits. Downgrades run the
 * U scripts in the same way. The only package that talks to Flyway.
 */
public final class MigrationEngine {
    public static final String HISTORY_TABLE = "flyway_schema_history";
    private static final String INSTALLED_BY = "crystal-db";
    private static final String CHECKS_STEP = "checking foreign keys and integrity before commit";
    private static final Pattern FLYWAY_LINE = Pattern.compile("Line\\s*:\\s*(\\d+)\\s*");

    private final SqliteDatabase database;
    private final MigrationSet migrations;
    private final Progress progress;

    public MigrationEngine(SqliteDatabase database, MigrationSet migrations) {
        this(database, migrations, Progress.NONE);
    }

    /** progress hears of each script as it starts, and of the checks before commit. */
    public MigrationEngine(SqliteDatabase database, MigrationSet migrations, Progress progress) {
        this.database = database;
        this.migrations = migrations;
        this.progress = progress;
    }

    public MigrationSet migrations() {
        return migrations;
    }

    public SqliteDatabase database() {
        return database;
    }

    /**
     * Reads the database's history and compares it with the set; never writes. The history table
     * is read directly (Flyway's own layout) so that status and a no-op upgrade never start Flyway.
     */
    public DatabaseState inspect() {
        if (!database.exists()) {
            return new DatabaseState(false, false, false, Optional.empty(), merge(List.of()), migrations.head(), Map.of(), Optional.empty());
        }
        try (Connection connection = database.openReadOnly()) {
            boolean history = SqliteQueries.tableExists(connection, HISTORY_TABLE);
            List<HistoryRow> rows = history ? HistoryRow.readAll(connection) : List.of();
            return new DatabaseState(true, history, hasOwnTables(connection), alembicRevision(connection), merge(rows), migrations.head(),
                    history ? StatementChecksums.read(connection) : Map.of(), UpgradeHold.read(connection));
        } catch (SQLException e) {
            throw database.translate(e, "read " + database.file());
        }
    }

    /** Puts the recorded rows and the migration files side by side, as Flyway's info does. */
    private List<HistoryEntry> merge(List<HistoryRow> rows) {
        Map<Version, HistoryRow> byVersion = new HashMap<>();
        Version baseline = null;
        Version highestApplied = null;
        for (HistoryRow row : rows) {
            if (row.version() == null) {
                continue; // repeatable migrations and Flyway's schema markers are not part of crystal-db's model
            }
            byVersion.put(row.version(), row);
            if (row.success() && (highestApplied == null || row.version().compareTo(highestApplied) > 0)) {
                highestApplied = row.version();
            }
            if (row.isBaseline() && (baseline == null || row.version().compareTo(baseline) > 0)) {
                baseline = row.version();
            }
        }
        List<HistoryEntry> entries = new ArrayList<>();
        for (MigrationFile file : migrations.forwards()) {
            HistoryRow row = byVersion.remove(file.version());
            boolean undo = migrations.undo(file.version()).isPresent();
            if (row != null) {
                MigrationStatus status = !row.success() ? MigrationStatus.FAILED : row.isBaseline() ? MigrationStatus.BASELINE : MigrationStatus.APPLIED;
                boolean changed = row.success() && !row.isBaseline() && row.checksum() != null
                        && row.checksum() != ScriptChecksum.of(migrations.script(file).runnableSql());
                entries.add(new HistoryEntry(file.version(), row.description(), status, row.script(), row.installedOn(),
                        row.executionMillis(), row.installedBy(), undo, changed, row.installedRank(), row.checksum()));
            } else {
                MigrationStatus status = baseline != null && file.version().compareTo(baseline) <= 0 ? MigrationStatus.BELOW_BASELINE
                        : highestApplied != null && file.version().compareTo(highestApplied) < 0 ? MigrationStatus.SKIPPED
                        : MigrationStatus.PENDING;
                entries.add(new HistoryEntry(file.version(), file.description(), status, file.fileName(), null, null, null, undo, false, null, null));
            }
        }
        for (HistoryRow row : byVersion.values()) {
            MigrationStatus status = !row.success() ? MigrationStatus.FAILED : row.isBaseline() ? MigrationStatus.BASELINE : MigrationStatus.MISSING;
            entries.add(new HistoryEntry(row.version(), row.description(), status, row.script(), row.installedOn(), row.executionMillis(),
                    row.installedBy(), false, false, row.installedRank(), row.checksum()));
        }
        entries.sort(Comparator.comparing(HistoryEntry::version));
        return entries;
    }

    /**
     * Refuses a database whose history does not fit the set: a failed or edited migration, one
     * missing from the set, a version newer than the set, a skipped file, or tables without history.
     */
    public void requireConsistent(DatabaseState state) {
        requireSameSet(state);
        List<String> problems = consistencyProblems(state);
        if (!problems.isEmpty()) {
            throw CrystalDbException.checkFailed(problems.get(0));
        }
    }

    /**
     * Refuses (exit 2) a database whose history another migration set wrote: most of its applied
     * versions are not in this set or ran a script with another checksum. That is a wrong
     * --migrations or bundle, not an edited file, so the fixes for one (restore the file, `repair`,
     * which would record this set's checksums over the other's) are never offered for it.
     */
    public void requireSameSet(DatabaseState state) {
        List<HistoryEntry> applied = state.entries().stream()
                .filter(e -> e.status() == MigrationStatus.APPLIED || e.status() == MigrationStatus.MISSING).toList();
        List<String> differences = new ArrayList<>();
        boolean renamed = false;
        for (HistoryEntry entry : applied) {
            Optional<MigrationFile> file = migrations.forward(entry.version());
            if (file.isEmpty()) {
                differences.add(entry.script() + " is not in the set");
            } else if (entry.fileChanged()) {
                boolean sameName = file.get().fileName().equals(entry.script());
                renamed |= !sameName;
                differences.add(sameName ? entry.script() + " has another checksum"
                        : entry.script() + " in the history is " + file.get().fileName() + " in the set, with another checksum");
            }
        }
        // one edited file of one applied migration is an edit (repair's case), unless its name differs too
        boolean another = differences.size() * 2 > applied.size() && (differences.size() >= 2 || renamed);
        if (another) {
            throw CrystalDbException.usage("this database was migrated with another migration set than " + migrations.origin() + " ("
                    + differences.size() + " of " + applied.size() + " applied versions differ: " + String.join(", ", differences.subList(0, Math.min(3, differences.size())))
                    + (differences.size() > 3 ? ", and " + (differences.size() - 3) + " more" : "")
                    + "); check --migrations / CRYSTAL_DB_MIGRATIONS / the bundle this executable carries (`crystal-db --version` names it)");
        }
    }

    /** Every reason the history and the migration set disagree, in history order; `verify` lists them all. */
    public List<String> consistencyProblems(DatabaseState state) {
        Optional<Version> head = state.head();
        List<String> problems = new ArrayList<>();
        for (HistoryEntry entry : state.entries()) {
            switch (entry.status()) {
                case FAILED -> problems.add("the history records a failed migration " + entry.version()
                        + " (" + entry.script() + "); restore a backup (crystal-db rollback) or repair the database by hand");
                case MISSING -> {
                    if (head.isEmpty() || entry.version().compareTo(head.get()) > 0) {
                        problems.add("database is at version " + state.current().map(e -> e.version().toString()).orElse(entry.version().toString())
                                + ", newer than the newest migration " + head.map(Version::toString).orElse("(none)")
                                + " in " + migrations.origin() + "; use the bundle (or --migrations DIR) that carries it");
                    } else {
                        problems.add("applied migration " + entry.version() + " (" + entry.script()
                                + ") is missing from " + migrations.origin() + "; restore the file");
                    }
                }
                case SKIPPED -> problems.add(entry.script() + " (version " + entry.version()
                        + ") is older than the database's current version but was never applied; renumber it above "
                        + state.current().map(e -> e.version().toString()).orElse("the current version"));
                default -> {
                    if (entry.fileChanged()) {
                        problems.add(changedFileProblem(state, entry));
                    }
                }
            }
        }
        if (state.unversioned()) {
            problems.add("database " + database.file() + " has tables but no migration history"
                    + state.alembicRevision().map(r -> " (Alembic revision " + r + ")").orElse("")
                    + "; record the version its schema is at with `crystal-db stamp --detect` (or `stamp VERSION`), then upgrade");
        }
        return problems;
    }

    /** Why an applied migration whose file changed is refused, and what to do: repair when only comments changed. */
    private String changedFileProblem(DatabaseState state, HistoryEntry entry) {
        MigrationFile file = migrations.forward(entry.version()).orElseThrow();
        String changed = file.fileName() + " was changed after it was applied (its checksum differs from the history): ";
        return changed + switch (editOf(state, entry)) {
            case COMMENTS_ONLY -> "the edit changes only comments and whitespace, not what runs; "
                    + "record the file's new checksum with `crystal-db repair`";
            case STATEMENTS -> "the edit changes the SQL it runs; restore the file as it was applied, or, if the database "
                    + "already is what the file now says, record it with `crystal-db repair`";
            case UNKNOWN -> "crystal-db cannot tell whether only comments changed (nothing was recorded when it was applied); "
                    + "restore the file as it was applied, or check the edit and record it with `crystal-db repair`";
        };
    }

    private StatementChecksums.Edit editOf(DatabaseState state, HistoryEntry entry) {
        return StatementChecksums.edit(migrations.script(migrations.forward(entry.version()).orElseThrow()), entry.checksum(),
                Optional.ofNullable(state.statementChecksums().get(entry.version())));
    }

    /**
     * Checks the database and lists, prepared, what an upgrade to target would run: null or "head"
     * (the newest), "+N" (the next N pending, as Alembic's `upgrade +1`), a version or an Alembic
     * revision id of the set.
     */
    public UpgradePlan planUpgrade(String targetText) {
        DatabaseState state = inspect();
        requireConsistent(state);
        Version head = migrations.requireHead();
        Version target;
        if (targetText == null || targetText.equalsIgnoreCase("head")) {
            target = head;
        } else if (targetText.matches("\\+\\d+")) {
            target = stepsForward(state, Integer.parseInt(targetText.substring(1)));
        } else if (targetText.matches("-\\d+")) {
            throw CrystalDbException.usage("upgrade " + targetText + ": upgrade goes forward (+N, a version or head); "
                    + "to go back " + targetText.substring(1) + " step(s), use `crystal-db downgrade " + targetText + "`");
        } else {
            target = migrations.knownVersion(targetText);
        }
        Optional<Version> current = state.current().map(HistoryEntry::version);
        if (current.isPresent() && current.get().compareTo(target) > 0) {
            throw CrystalDbException.usage("database is at version " + current.get() + ", above target " + target
                    + ": use `crystal-db downgrade " + target + "` to go back");
        }
        List<MigrationScript> scripts = state.pending().stream()
                .filter(e -> e.version().compareTo(target) <= 0)
                .map(e -> migrations.script(migrations.forward(e.version()).orElseThrow()).requireRunnable())
                .toList();
        return new UpgradePlan(state, current, target, scripts);
    }

    /**
     * Applies a plan inside the caller's write transaction, which holds SQLite's write lock and
     * commits only if this returns: every script, the history rows, then the foreign-key and
     * integrity checks. On failure nothing is applied and the history is as before.
     */
    public UpgradeResult upgrade(UpgradePlan plan, WriteTransaction unit) {
        if (plan.nothingToDo()) {
            return UpgradeResult.unchanged(plan.from());
        }
        Version last = plan.scripts().get(plan.scripts().size() - 1).file().version();
        ProgressCallback callback = new ProgressCallback(plan.scripts().size(), progress);
        long started = System.nanoTime();
        MigrateResult result;
        try {
            createHistoryTableIfMissing(unit.connection());
            result = flyway(unit, callback).target(MigrationVersion.fromVersion(plan.target().toString())).load().migrate();
            callback.step.close();
            try (Progress.Step step = progress.start(CHECKS_STEP)) {
                requireChecksPass(unit.connection());
            }
            for (MigrationScript script : plan.scripts()) {
                StatementChecksums.record(unit.connection(), script);
            }
        } catch (UnitFailure e) {
            throw CrystalDbException.failed(e.getMessage() + "; nothing was applied (the whole upgrade rolled back)", e);
        } catch (SQLException | RuntimeException e) {
            throw failureOf(e, callback.failedScript);
        } finally {
            callback.step.close();
        }
        List<UpgradeResult.Step> steps = new ArrayList<>();
        for (MigrateOutput output : result.migrations) {
            steps.add(new UpgradeResult.Step(Version.parseOrNull(output.version), output.description, output.filepath, output.executionTime));
        }
        return new UpgradeResult(plan.from(), Optional.of(last), steps, (System.nanoTime() - started) / 1_000_000);
    }

    /** The version N pending migrations up: the target of `upgrade +N`. */
    private static Version stepsForward(DatabaseState state, int steps) {
        List<HistoryEntry> pending = state.pending();
        if (steps == 0 || steps > pending.size()) {
            throw CrystalDbException.usage("cannot go forward " + steps + " step(s): " + pending.size() + " migration(s) pending"
                    + (pending.isEmpty() ? "; the database is up to date" : "; use a number from 1 to " + pending.size() + ", a version, or head"));
        }
        return pending.get(steps - 1).version();
    }

    /** Lists the undo scripts that take the database back to target: "-N", a version or Alembic revision id (which stays applied), or "base". */
    public DowngradePlan planDowngrade(String targetText) {
        DatabaseState state = inspect();
        requireConsistent(state);
        List<HistoryEntry> applied = state.applied();
        Optional<Version> target;
        if (targetText.equalsIgnoreCase("base")) {
            target = Optional.empty();
        } else if (targetText.matches("-\\d+")) {
            int steps = Integer.parseInt(targetText.substring(1));
            if (steps == 0 || steps > applied.size()) {
                throw CrystalDbException.usage("cannot go back " + steps + " step(s): " + applied.size()
                        + " migration(s) applied; use a number from 1 to " + applied.size() + ", a version, or base");
            }
            int keep = applied.size() - steps;
            target = keep == 0 ? Optional.empty() : Optional.of(applied.get(keep - 1).version());
        } else if (targetText.matches("\\+\\d+")) {
            throw CrystalDbException.usage("downgrade " + targetText + ": downgrade goes back (-N, a version or base); "
                    + "to go forward " + targetText.substring(1) + " step(s), use `crystal-db upgrade " + targetText + "`");
        } else {
            target = Optional.of(migrations.knownVersion(targetText));
        }
        Optional<Version> current = state.current().map(HistoryEntry::version);
        if (target.isPresent() && current.isPresent() && target.get().compareTo(current.get()) > 0) {
            throw CrystalDbException.usage("database is at version " + current.get() + ", below target " + target.get()
                    + ": use `crystal-db upgrade " + target.get() + "`");
        }
        List<DowngradePlan.Undo> undos = new ArrayList<>();
        for (int i = applied.size() - 1; i >= 0; i--) {
            HistoryEntry entry = applied.get(i);
            if (target.isPresent() && entry.version().compareTo(target.get()) <= 0) {
                break;
            }
            if (entry.status() == MigrationStatus.BASELINE) {
                throw CrystalDbException.usage("version " + entry.version() + " was recorded as a Flyway baseline, not applied by a script; "
                        + "cannot undo below it (restore a backup instead)");
            }
            MigrationFile forward = migrations.forward(entry.version()).orElseThrow();
            MigrationFile undo = migrations.undo(entry.version()).orElseThrow(() -> CrystalDbException.usage(
                    "no undo script for version " + entry.version() + ": add U" + forward.fileName().substring(1)
                            + " to " + migrations.origin() + ", or restore a backup with `crystal-db rollback`"));
            undos.add(new DowngradePlan.Undo(entry, migrations.script(undo).requireRunnable()));
        }
        return new DowngradePlan(current, target, undos);
    }

    /**
     * Runs a downgrade plan inside the caller's write transaction: undo scripts newest first, their
     * history rows removed, then the checks; the caller commits only if this returns.
     */
    public UpgradeResult downgrade(DowngradePlan plan, WriteTransaction unit) {
        if (plan.nothingToDo()) {
            return UpgradeResult.unchanged(plan.from());
        }
        long started = System.nanoTime();
        List<UpgradeResult.Step> steps = new ArrayList<>();
        Connection connection = unit.connection();
        try {
            int done = 0;
            for (DowngradePlan.Undo undo : plan.undos()) {
                long begun = System.nanoTime();
                String script = undo.script().file().fileName();
                try (Progress.Step step = progress.start("undoing " + undo.applied().version() + " "
                        + undo.script().file().description() + " (" + (++done) + " of " + plan.undos().size() + ")")) {
                    undo.script().runOn(connection, (where, e) -> new UnitFailure(where + ": " + firstLine(e), e));
                }
                deleteHistoryRow(connection, undo.applied().installedRank());
                StatementChecksums.remove(connection, undo.applied().version());
                steps.add(new UpgradeResult.Step(undo.applied().version(), undo.script().file().description(), script,
                        (System.nanoTime() - begun) / 1_000_000));
            }
            try (Progress.Step step = progress.start(CHECKS_STEP)) {
                requireChecksPass(connection);
            }
        } catch (UnitFailure e) {
            throw CrystalDbException.failed(e.getMessage() + "; nothing was undone (the whole downgrade rolled back)", e);
        } catch (SQLException | RuntimeException e) {
            throw database.translate(e, "downgrade " + database.file());
        }
        return new UpgradeResult(plan.from(), plan.target(), steps, (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Records target ("head", "base" or a version) as the current version without running SQL,
     * inside the caller's write transaction: forward by letting Flyway record the pending
     * migrations unexecuted, back by removing rows; with dropAlembicVersion the alembic_version
     * table goes too.
     */
    public UpgradeResult stamp(String targetText, boolean dropAlembicVersion, WriteTransaction unit) {
        DatabaseState state = inspect();
        Optional<Version> current = state.current().map(HistoryEntry::version);
        Optional<Version> target = stampTarget(targetText);
        refuseUnwrittenUpTo(state, target);
        List<UpgradeResult.Step> steps = new ArrayList<>();
        Connection connection = unit.connection();
        try {
            createHistoryTableIfMissing(connection);
            for (HistoryEntry entry : state.entries()) {
                boolean above = target.isEmpty() || entry.version().compareTo(target.get()) > 0;
                if (entry.installedRank() != null && above) {
                    deleteHistoryRow(connection, entry.installedRank());
                    StatementChecksums.remove(connection, entry.version());
                }
            }
            if (target.isPresent() && (current.isEmpty() || current.get().compareTo(target.get()) < 0)) {
                MigrateResult result = flyway(unit, null).skipExecutingMigrations(true)
                        .target(MigrationVersion.fromVersion(target.get().toString())).load().migrate();
                for (MigrateOutput output : result.migrations) {
                    Version version = Version.parseOrNull(output.version);
                    steps.add(new UpgradeResult.Step(version, output.description, output.filepath, 0));
                    StatementChecksums.record(connection, migrations.script(migrations.forward(version).orElseThrow()));
                }
            }
            if (dropAlembicVersion) {
                dropAlembicVersion(unit);
            }
        } catch (SQLException | RuntimeException e) {
            throw database.translate(e, "stamp " + database.file());
        }
        return new UpgradeResult(current, target, steps, 0);
    }

    /** Exit 2 when a pending migration up to target is still an unwritten template: a template is never recorded as applied. */
    public void refuseUnwrittenUpTo(DatabaseState state, Optional<Version> target) {
        for (HistoryEntry entry : state.pending()) {
            if (target.isPresent() && entry.version().compareTo(target.get()) <= 0) {
                migrations.script(migrations.forward(entry.version()).orElseThrow()).unwritten().ifPresent(refusal -> {
                    throw CrystalDbException.usage(refusal + "; a template is never recorded as applied");
                });
            }
        }
    }

    /** The version a stamp TARGET ("head", "base" or a version of the set) means; empty for base. */
    public Optional<Version> stampTarget(String targetText) {
        if (targetText.equalsIgnoreCase("base")) {
            return Optional.empty();
        }
        if (targetText.equalsIgnoreCase("head")) {
            return Optional.of(migrations.requireHead());
        }
        return Optional.of(migrations.knownVersion(targetText));
    }

    /** Removes the alembic_version table Alembic left, inside the caller's write transaction. */
    public void dropAlembicVersion(WriteTransaction unit) {
        try (Statement statement = unit.connection().createStatement()) {
            statement.execute("DROP TABLE IF EXISTS alembic_version");
        } catch (SQLException e) {
            throw database.translate(e, "drop alembic_version in " + database.file());
        }
    }

    /** An applied migration whose history row no longer fits its file: the checksum, the description, or both differ. */
    public record Repair(HistoryEntry applied, MigrationFile file, int checksum, StatementChecksums.Edit edit) {
        public boolean checksumDiffers() {
            return applied.fileChanged();
        }

        public boolean descriptionDiffers() {
            return !applied.description().equals(file.description());
        }
    }

    /** The history rows `repair` would realign with their files, in history order. */
    public List<Repair> repairsNeeded(DatabaseState state) {
        List<Repair> repairs = new ArrayList<>();
        for (HistoryEntry entry : state.entries()) {
            if (entry.status() != MigrationStatus.APPLIED) {
                continue;
            }
            MigrationFile file = migrations.forward(entry.version()).orElseThrow();
            if (entry.fileChanged() || !entry.description().equals(file.description())) {
                repairs.add(new Repair(entry, file, ScriptChecksum.of(migrations.script(file).runnableSql()),
                        entry.fileChanged() ? editOf(state, entry) : StatementChecksums.Edit.COMMENTS_ONLY));
            }
        }
        return repairs;
    }

    /**
     * Records the files' checksums and descriptions in their history rows, as Flyway's repair does
     * (Flyway's checksum, so Flyway still reads the table), inside the caller's write transaction.
     */
    public void repair(List<Repair> repairs, WriteTransaction unit) {
        try (PreparedStatement update = unit.connection().prepareStatement("UPDATE " + HISTORY_TABLE
                + " SET checksum = ?, description = ? WHERE installed_rank = ?")) {
            for (Repair repair : repairs) {
                update.setInt(1, repair.checksum());
                update.setString(2, repair.file().description());
                update.setInt(3, repair.applied().installedRank());
                update.executeUpdate();
                StatementChecksums.record(unit.connection(), migrations.script(repair.file()));
            }
        } catch (SQLException e) {
            throw database.translate(e, "repair the history of " + database.file());
        }
    }

    /** Flyway, working on the unit's connection only: it runs inside the unit and cannot end it. */
    private FluentConfiguration flyway(WriteTransaction unit, Callback callback) {
        FluentConfiguration configuration = Flyway.configure(MigrationEngine.class.getClassLoader())
                .dataSource(new UnitDataSource(unit.connection()))
                .connectRetries(0)
                .resourceProvider(new MigrationResources(migrations))
                .javaMigrationClassProvider(List::of)
                .table(HISTORY_TABLE)
                .placeholderReplacement(false)
                .group(true)
                .mixed(false)
                .outOfOrder(false)
                .validateOnMigrate(false) // requireConsistent has checked, before any backup or change
                .baselineOnMigrate(false)
                .cleanDisabled(true)
                .installedBy(INSTALLED_BY)
                .failOnMissingLocations(false);
        return callback == null ? configuration : configuration.callbacks(callback);
    }

    private CrystalDbException failureOf(Exception error, String failedScript) {
        CrystalDbException known = CrystalDbException.findIn(error);
        if (known != null) {
            return known;
        }
        if (SqliteFailure.isBusy(error)) {
            return database.busy();
        }
        String cause = firstLine(Failures.find(error, SQLException.class).map(Throwable.class::cast).orElse(error));
        String where = failedScript == null ? "upgrade failed" : failedScript + failedLine(error).map(line -> " line " + line).orElse(" failed");
        return new CrystalDbException(ExitCode.FAILED, where + ": " + cause + "; nothing was applied (the whole upgrade rolled back)", error);
    }

    /** The line of the failing statement, which Flyway's script error reports ("Line : 12"); numbered as in the file. */
    private static Optional<Integer> failedLine(Throwable error) {
        return Failures.causes(error).flatMap(t -> String.valueOf(t.getMessage()).lines())
                .map(FLYWAY_LINE::matcher).filter(Matcher::matches).map(matcher -> Integer.parseInt(matcher.group(1))).findFirst();
    }

    private static void requireChecksPass(Connection connection) throws SQLException {
        List<String> foreignKeys = SqliteQueries.foreignKeyProblems(connection);
        if (!foreignKeys.isEmpty()) {
            throw new UnitFailure("foreign key check failed: " + foreignKeys.get(0)
                    + (foreignKeys.size() > 1 ? " (and " + (foreignKeys.size() - 1) + " more)" : ""), null);
        }
        List<String> integrity = SqliteQueries.integrityProblems(connection, false);
        if (!integrity.isEmpty()) {
            throw new UnitFailure("integrity check failed: " + integrity.get(0), null);
        }
    }

    private static void deleteHistoryRow(Connection connection, int installedRank) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + HISTORY_TABLE + " WHERE installed_rank = ?")) {
            delete.setInt(1, installedRank);
            delete.executeUpdate();
        }
    }

    /** Flyway's own SQLite layout of the history table, so stamping a database leaves it readable by Flyway. */
    private static void createHistoryTableIfMissing(Connection connection) throws SQLException {
        if (SqliteQueries.tableExists(connection, HISTORY_TABLE)) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE \"" + HISTORY_TABLE + "\" (\n"
                    + "    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n"
                    + "    \"version\" VARCHAR(50),\n"
                    + "    \"description\" VARCHAR(200) NOT NULL,\n"
                    + "    \"type\" VARCHAR(20) NOT NULL,\n"
                    + "    \"script\" VARCHAR(1000) NOT NULL,\n"
                    + "    \"checksum\" INT,\n"
                    + "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
                    + "    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n"
                    + "    \"execution_time\" INT NOT NULL,\n"
                    + "    \"success\" BOOLEAN NOT NULL\n"
                    + ")");
            statement.execute("CREATE INDEX \"" + HISTORY_TABLE + "_s_idx\" ON \"" + HISTORY_TABLE + "\" (\"success\")");
        }
    }

    private static boolean hasOwnTables(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') "
                     + "AND name NOT LIKE 'sqlite_%' AND name NOT IN ('" + HISTORY_TABLE + "', '" + StatementChecksums.TABLE + "', '" + UpgradeHold.TABLE + "', 'alembic_version')")) {
            return rows.next() && rows.getLong(1) > 0;
        }
    }

    private static Optional<String> alembicRevision(Connection connection) throws SQLException {
        if (!SqliteQueries.tableExists(connection, "alembic_version")) {
            return Optional.empty();
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT version_num FROM alembic_version")) {
            return Optional.of(rows.next() ? rows.getString(1) : "(empty)");
        } catch (SQLException e) {
            return Optional.of("(unreadable)");
        }
    }

    /** The first line of a failure's message, or of the "Message : ..." line in Flyway's multi-line report. */
    private static String firstLine(Throwable error) {
        String message = String.valueOf(error.getMessage());
        return message.lines().filter(line -> line.startsWith("Message")).findFirst()
                .map(line -> line.replaceFirst("Message\\s*:\\s*", "").trim())
                .orElseGet(() -> Failures.firstLine(error));
    }

    /** A failure inside a unit, raised before the commit so the transaction rolls back. */
    private static final class UnitFailure extends RuntimeException {
        UnitFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Reports each script as it starts, and remembers which one failed. */
    private static final class ProgressCallback implements Callback {
        private final int count;
        private final Progress progress;
        private int started;
        private Progress.Step step = () -> { };
        private String failedScript;

        ProgressCallback(int count, Progress progress) {
            this.count = count;
            this.progress = progress;
        }

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE_ERROR;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            MigrationInfo info = context.getMigrationInfo();
            if (event == Event.BEFORE_EACH_MIGRATE) {
                step.close();
                step = progress.start("applying " + (info == null ? "" : info.getVersion() + " " + info.getDescription() + " ")
                        + "(" + (++started) + " of " + count + ")");
            } else {
                failedScript = info == null ? null : info.getScript();
            }
        }

        @Override
        public String getCallbackName() {
            return "crystal-db progress";
        }
    }

    /** Hands Flyway the unit's one connection, however often it asks. */
    private record UnitDataSource(Connection connection) implements DataSource {
        @Override
        public Connection getConnection() {
            return connection;
        }

        @Override
        public Connection getConnection(String username, String password) {
            return connection;
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // Flyway reports through crystal-db's own errors
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // the connection is open already
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException("no logger");
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            if (type.isInstance(this)) {
                return type.cast(this);
            }
            throw new SQLException("not a wrapper for " + type.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return type.isInstance(this);
        }
    }
}
