package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.CrystalDbException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Whether a database's history fits the migration set, and, when not, the reason and the fix, as Flyway's validate. */
final class HistoryValidation {
    private final SqliteDatabase database;
    private final MigrationSet migrations;

    HistoryValidation(SqliteDatabase database, MigrationSet migrations) {
        this.database = database;
        this.migrations = migrations;
    }

    /**
     * Refuses a database whose history does not fit the set: a failed or edited migration, one
     * missing from the set, a version newer than the set, a skipped file, or tables without history.
     */
    void requireConsistent(DatabaseState state) {
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
    void requireSameSet(DatabaseState state) {
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
    List<String> consistencyProblems(DatabaseState state) {
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

    StatementChecksums.Edit editOf(DatabaseState state, HistoryEntry entry) {
        return StatementChecksums.edit(migrations.script(migrations.forward(entry.version()).orElseThrow()), entry.checksum(),
                Optional.ofNullable(state.statementChecksums().get(entry.version())));
    }
}
