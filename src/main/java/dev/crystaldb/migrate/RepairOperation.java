package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.WriteTransaction;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * `repair`: realigns the history rows of applied migrations with their files, as Flyway's repair
 * does (Flyway's checksum, so Flyway still reads the table), and records their statements.
 */
final class RepairOperation {
    private final SqliteDatabase database;
    private final MigrationSet migrations;

    RepairOperation(SqliteDatabase database, MigrationSet migrations) {
        this.database = database;
        this.migrations = migrations;
    }

    /** The history rows `repair` would realign with their files, in history order. */
    List<MigrationEngine.Repair> needed(DatabaseState state) {
        HistoryValidation validation = new HistoryValidation(database, migrations);
        List<MigrationEngine.Repair> repairs = new ArrayList<>();
        for (HistoryEntry entry : state.entries()) {
            if (entry.status() != MigrationStatus.APPLIED) {
                continue;
            }
            MigrationFile file = migrations.forward(entry.version()).orElseThrow();
            if (entry.fileChanged() || !entry.description().equals(file.description())) {
                repairs.add(new MigrationEngine.Repair(entry, file, ScriptChecksum.of(migrations.script(file).runnableSql()),
                        entry.fileChanged() ? validation.editOf(state, entry) : StatementChecksums.Edit.COMMENTS_ONLY));
            }
        }
        return repairs;
    }

    /** Records the files' checksums and descriptions in their history rows, inside the caller's write transaction. */
    void run(List<MigrationEngine.Repair> repairs, WriteTransaction unit) {
        SchemaHistoryTable history = new SchemaHistoryTable(unit.connection());
        try {
            for (MigrationEngine.Repair repair : repairs) {
                history.updateRow(repair.applied().installedRank(), repair.checksum(), repair.file().description());
                history.recordStatements(migrations.script(repair.file()));
            }
        } catch (SQLException e) {
            throw database.translate(e, "repair the history of " + database.file());
        }
    }
}
