package dev.crystaldb.migrate;

import dev.crystaldb.schema.SqlText;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * What crystal-db keeps beside Flyway's history so that an edited migration can be judged: for each
 * applied version, a checksum of the statements it runs with comments, whitespace and the case of
 * keywords and names left out, stored with the Flyway checksum it goes with. Flyway's table keeps
 * its own layout and checksum (Flyway still reads it); a row whose Flyway checksum is no longer the
 * history's is stale and tells nothing. Stored by {@link SchemaHistoryTable}.
 */
public final class StatementChecksums {
    /** Whether an edited file still runs the statements that were applied. */
    public enum Edit {
        /** Only comments, whitespace or letter case changed: SQLite runs the same statements. */
        COMMENTS_ONLY,
        /** The statements differ. */
        STATEMENTS,
        /** Nothing was recorded when it was applied (by an older crystal-db, or by Flyway). */
        UNKNOWN
    }

    private StatementChecksums() {
    }

    /** The checksum of the statements crystal-db runs for a script, comments and whitespace aside. */
    public static int of(MigrationScript script) {
        CRC32 crc = new CRC32();
        for (SqlStatement statement : script.statements()) {
            crc.update(SqlText.normalize(statement.text()).getBytes(StandardCharsets.UTF_8));
            crc.update(0);
        }
        return (int) crc.getValue();
    }

    /** A statement checksum as recorded, with the Flyway checksum of the file it was recorded for. */
    public record Recorded(int flywayChecksum, int statementsChecksum) {
    }

    /** How the file differs from what was applied, given the history's Flyway checksum and the recorded pair. */
    static Edit edit(MigrationScript script, Integer historyChecksum, Optional<Recorded> recorded) {
        if (historyChecksum == null || recorded.isEmpty() || recorded.get().flywayChecksum() != historyChecksum) {
            return Edit.UNKNOWN;
        }
        return recorded.get().statementsChecksum() == of(script) ? Edit.COMMENTS_ONLY : Edit.STATEMENTS;
    }
}
