package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.progress.Progress;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Migrations for one database, with Flyway as the engine and flyway_schema_history as the record:
 * what the ops services call. Split the way Flyway is: {@link SchemaHistoryTable} alone holds SQL on
 * the history and crystal-db's tables beside it, {@link FlywayAdapter} alone talks to Flyway,
 * {@link HistoryInspection} and {@link HistoryValidation} read and judge the history,
 * {@link ChangePlanner} plans, and one class per change runs it inside the caller's unit
 * ({@link UpgradeOperation}, {@link DowngradeOperation}, {@link StampOperation}, {@link RepairOperation}).
 * An upgrade runs every pending script as one transaction (Flyway's group mode), with foreign keys
 * off and PRAGMA foreign_key_check plus integrity_check run before it commits; downgrades run the
 * U scripts in the same way.
 */
public final class MigrationEngine {
    private final SqliteDatabase database;
    private final MigrationSet migrations;
    private final Progress progress;
    private final HistoryValidation validation;
    private final ChangePlanner planner;

    public MigrationEngine(SqliteDatabase database, MigrationSet migrations) {
        this(database, migrations, Progress.NONE);
    }

    /** progress hears of each script as it starts, and of the checks before commit. */
    public MigrationEngine(SqliteDatabase database, MigrationSet migrations, Progress progress) {
        this.database = database;
        this.migrations = migrations;
        this.progress = progress;
        this.validation = new HistoryValidation(database, migrations);
        this.planner = new ChangePlanner(database, migrations);
    }

    public MigrationSet migrations() {
        return migrations;
    }

    public SqliteDatabase database() {
        return database;
    }

    /** Reads the database's history and compares it with the set; never writes, never starts Flyway. */
    public DatabaseState inspect() {
        return HistoryInspection.inspect(database, migrations);
    }

    /**
     * Refuses a database whose history does not fit the set: a failed or edited migration, one
     * missing from the set, a version newer than the set, a skipped file, or tables without history.
     */
    public void requireConsistent(DatabaseState state) {
        validation.requireConsistent(state);
    }

    /** Refuses (exit 2) a database whose history another migration set wrote; see {@link HistoryValidation}. */
    public void requireSameSet(DatabaseState state) {
        validation.requireSameSet(state);
    }

    /** Every reason the history and the migration set disagree, in history order; `verify` lists them all. */
    public List<String> consistencyProblems(DatabaseState state) {
        return validation.consistencyProblems(state);
    }

    /** Checks the database and lists, prepared, what an upgrade to target (null or "head", "+N", a version or Alembic revision id) would run. */
    public UpgradePlan planUpgrade(String targetText) {
        return planner.planUpgrade(targetText);
    }

    /** Applies a plan inside the caller's write transaction; see {@link UpgradeOperation}. */
    public UpgradeResult upgrade(UpgradePlan plan, WriteTransaction unit) {
        return new UpgradeOperation(new FlywayAdapter(database, migrations), progress).run(plan, unit);
    }

    /** Lists the undo scripts that take the database back to target: "-N", a version or Alembic revision id (which stays applied), or "base". */
    public DowngradePlan planDowngrade(String targetText) {
        return planner.planDowngrade(targetText);
    }

    /** Runs a downgrade plan inside the caller's write transaction, holding the undone versions; see {@link DowngradeOperation}. */
    public DowngradeResult downgrade(DowngradePlan plan, WriteTransaction unit) {
        return new DowngradeOperation(database, progress).run(plan, unit);
    }

    /** Records target ("head", "base" or a version) as the current version without running SQL; see {@link StampOperation}. */
    public UpgradeResult stamp(String targetText, boolean dropAlembicVersion, WriteTransaction unit) {
        return stampOperation().run(planner.stampTarget(targetText), dropAlembicVersion, unit);
    }

    /** Exit 2 when a pending migration up to target is still an unwritten template: a template is never recorded as applied. */
    public void refuseUnwrittenUpTo(DatabaseState state, Optional<Version> target) {
        stampOperation().refuseUnwrittenUpTo(state, target);
    }

    private StampOperation stampOperation() {
        return new StampOperation(database, migrations, new FlywayAdapter(database, migrations));
    }

    /** The version a stamp TARGET ("head", "base" or a version of the set) means; empty for base. */
    public Optional<Version> stampTarget(String targetText) {
        return planner.stampTarget(targetText);
    }

    /** Removes the alembic_version table Alembic left, inside the caller's write transaction. */
    public void dropAlembicVersion(WriteTransaction unit) {
        try {
            new SchemaHistoryTable(unit.connection()).dropAlembicVersion();
        } catch (SQLException e) {
            throw database.translate(e, "drop alembic_version in " + database.file());
        }
    }

    /** Ends the upgrade hold, inside the caller's write transaction (with the upgrade it held back, or alone). */
    public void releaseHold(WriteTransaction unit) {
        try {
            new SchemaHistoryTable(unit.connection()).releaseHold();
        } catch (SQLException e) {
            throw database.translate(e, "release the upgrade hold in " + database.file());
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
        return new RepairOperation(database, migrations).needed(state);
    }

    /** Records the files' checksums and descriptions in their history rows, inside the caller's write transaction. */
    public void repair(List<Repair> repairs, WriteTransaction unit) {
        new RepairOperation(database, migrations).run(repairs, unit);
    }
}
