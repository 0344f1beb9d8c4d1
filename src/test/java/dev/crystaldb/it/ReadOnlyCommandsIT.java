package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static dev.crystaldb.it.CrystalDb.assertOneErrorLine;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands that only read never change the database's bytes (issue 12, item 4): they open it
 * read-only, and when SQLite would have to write to open it (a hot journal to roll back, a
 * write-ahead log without its index that nobody has open) they say so and exit 1.
 */
class ReadOnlyCommandsIT {
    /** Every command that only reads, with its arguments. */
    private static final List<List<String>> READERS = List.of(List.of("status"), List.of("history"), List.of("verify"),
            List.of("upgrade", "--dry-run"), List.of("downgrade", "-1", "--dry-run"), List.of("status", "--json"),
            List.of("stamp", "head", "--dry-run", "--force"), List.of("repair", "--dry-run"));

    @TempDir
    Path dir;

    private Path budget() throws Exception {
        Path db = dir.resolve("budget.db");
        ok(dir, "--db", db.toString(), "upgrade", "--create", "--yes");
        try (Connection connection = connect(db); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("CREATE TABLE big (n INTEGER)");
            statement.execute("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) INSERT INTO big SELECT i FROM c");
        }
        assertTrue(Files.notExists(Path.of(db + "-wal")), "closed cleanly: the log was checkpointed and removed");
        return db;
    }

    @Test
    @Timeout(180)
    void aWriteAheadLogFromAnotherDatabaseIsNeverReplayedByACommandThatOnlyReads() throws Exception {
        Path db = budget();
        Path other = dir.resolve("other.db");
        try (Connection connection = CrystalDb.create(other); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("CREATE TABLE t (x)");
        }
        // the other database's log, copied beside this one (a restore by cp that left the old -wal, say)
        CrashingWriter.commitAndDie(other, "DROP TABLE t", "CREATE TABLE replaced (y)");
        Files.copy(Path.of(other + "-wal"), Path.of(db + "-wal"));
        String dbBytes = sha256(db);
        String walBytes = sha256(Path.of(db + "-wal"));

        for (List<String> reader : READERS) {
            CrystalDb.Result result = run(dir, concat("--db", db.toString(), reader));
            assertEquals(1, result.exitCode(), result::describe);
            if (!reader.contains("--json")) {
                assertOneErrorLine(result);
            }
            assertTrue(result.stderr().contains("has a write-ahead log budget.db-wal"), result::describe);
            assertEquals(dbBytes, sha256(db), "`" + String.join(" ", reader) + "` changed the database file");
            assertEquals(walBytes, sha256(Path.of(db + "-wal")), "`" + String.join(" ", reader) + "` changed the log");
        }
        Files.delete(Path.of(db + "-wal"));
        assertEquals(20000, count(db, "big"), "the table is all there once the foreign log is gone");
    }

    @Test
    @Timeout(180)
    void aHotJournalIsReportedNotRolledBackByACommandThatOnlyReadsAndAChangeCommandRollsItBack() throws Exception {
        Path db = dir.resolve("budget.db");
        ok(dir, "--db", db.toString(), "upgrade", "--create", "--yes");
        try (Connection connection = connect(db); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE big (n INTEGER, pad BLOB)");
            statement.execute("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 5000) INSERT INTO big SELECT i, randomblob(200) FROM c");
        }
        // a writer killed in the middle of a large transaction: its pages are in the file, the old ones in the journal
        CrashingWriter.commitAndDie(db, "PRAGMA cache_size=10", "BEGIN", "UPDATE big SET pad = randomblob(300)");
        Path journal = Path.of(db + "-journal");
        assertTrue(Files.size(journal) > 0, "the killed writer left a hot journal");
        String dbBytes = sha256(db);
        String journalBytes = sha256(journal);

        for (List<String> reader : READERS) {
            CrystalDb.Result result = run(dir, concat("--db", db.toString(), reader));
            assertEquals(1, result.exitCode(), result::describe);
            assertTrue(result.stderr().contains("has a hot journal"), result::describe);
            assertEquals(dbBytes, sha256(db), "`" + String.join(" ", reader) + "` changed the database file");
            assertEquals(journalBytes, sha256(journal), "`" + String.join(" ", reader) + "` changed the journal");
        }
        // a change command takes the lock and lets SQLite roll the interrupted write back
        ok(dir, "--db", db.toString(), "stamp", "head", "--force"); // the table "big" is no schema of the set
        assertTrue(Files.notExists(journal) || Files.size(journal) == 0);
        assertEquals("ok", CrystalDb.integrityCheck(db));
        assertEquals(5000, count(db, "big"));
    }

    @Test
    @Timeout(120)
    void readingADatabaseTheAppHasOpenChangesNoByte() throws Exception {
        Path db = budget();
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("PRAGMA wal_autocheckpoint=0");
            statement.execute("INSERT INTO big VALUES (20001)"); // only in the log while the app runs
            String dbBytes = sha256(db);
            String walBytes = sha256(Path.of(db + "-wal"));
            for (List<String> reader : READERS) {
                CrystalDb.Result result = run(dir, concat("--db", db.toString(), reader));
                // verify finds the extra table big: drift, exit 4; everything else reads fine
                assertEquals(reader.contains("verify") ? 4 : 0, result.exitCode(), result::describe);
                assertEquals(dbBytes, sha256(db), "`" + String.join(" ", reader) + "` changed the database file");
                assertEquals(walBytes, sha256(Path.of(db + "-wal")), "`" + String.join(" ", reader) + "` changed the log");
            }
            assertTrue(ok(dir, "--db", db.toString(), "status").stdout().contains("current version: 5"));
        }
    }

    private static String[] concat(String flag, String value, List<String> rest) {
        String[] args = new String[rest.size() + 2];
        args[0] = flag;
        args[1] = value;
        for (int i = 0; i < rest.size(); i++) {
            args[i + 2] = rest.get(i);
        }
        return args;
    }
}
