package dev.crystaldb.migrate;

import java.util.Optional;

/**
 * What an alembic_version table left in a database means beside crystal-db's history: the
 * revision it names, the version whose `-- alembic-revision:` header names it, and whether it is
 * still the database's version. Alembic would read it as the current revision, so once crystal-db
 * has moved the database on it is stale.
 */
public record AlembicVersion(String revision, Optional<Version> version, State state, Optional<Version> current) {

    public enum State {
        /** No history yet: the revision tells stamp --detect where to look. */
        TO_ADOPT,
        /** The history is at the version the revision maps to. */
        CURRENT,
        /** The history is at another version: Alembic would see a revision the database is no longer at. */
        STALE,
        /** No migration's header names the revision. */
        UNKNOWN
    }

    /** The alembic_version of a database, if it has one. */
    public static Optional<AlembicVersion> of(DatabaseState state, MigrationSet migrations) {
        return state.alembicRevision().map(revision -> {
            Optional<Version> version = migrations.forAlembicRevision(revision).map(MigrationFile::version);
            Optional<Version> current = state.current().map(HistoryEntry::version);
            State kind = version.isEmpty() ? State.UNKNOWN
                    : current.isEmpty() ? State.TO_ADOPT
                    : current.equals(version) ? State.CURRENT : State.STALE;
            return new AlembicVersion(revision, version, kind, current);
        });
    }

    /** One line for status: what the table says and what to do about it. */
    public String describe(String origin) {
        String fix = "`crystal-db stamp --detect --drop-alembic-version` removes it";
        return switch (state) {
            case TO_ADOPT -> "revision " + revision + " (version " + version.get() + "): adopt the database with `crystal-db stamp --detect`";
            case CURRENT -> "revision " + revision + " (version " + version.get() + ", as the history says), left in place; " + fix;
            case STALE -> "stale: revision " + revision + " is version " + version.get() + ", but the database is at " + current.get()
                    + " (Alembic would read the old revision); " + fix;
            case UNKNOWN -> "revision " + revision + ", which no migration's `-- alembic-revision:` header in " + origin + " names"
                    + (current.isPresent() ? "; " + fix : "");
        };
    }
}
