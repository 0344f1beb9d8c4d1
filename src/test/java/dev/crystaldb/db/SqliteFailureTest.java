package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind from a real SQLite error on a real file, and what crystal-db tells the operator about it. */
class SqliteFailureTest {
    @TempDir
    Path dir;

    private Path database(String name) throws SQLException {
        Path db = dir.resolve(name);
        TestDb.execute(db, "CREATE TABLE t (n INTEGER, pad BLOB)",
                "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000) INSERT INTO t SELECT i, randomblob(200) FROM c");
        return db;
    }

    private static SQLException failing(Connection connection, String sql) {
        return assertThrows(SQLException.class, () -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        });
    }

    @Test
    void anotherConnectionsWriteLockIsBusyAndExit3() throws Exception {
        Path db = database("locked.db");
        try (Connection holder = TestDb.connect(db); Statement statement = holder.createStatement();
             Connection waiter = TestDb.connect(db)) {
            statement.execute("BEGIN IMMEDIATE");
            SQLException e = failing(waiter, "BEGIN IMMEDIATE");
            assertEquals(SqliteFailure.BUSY, SqliteFailure.of(e), e.getMessage());
            assertTrue(SqliteFailure.isBusy(new RuntimeException("wrapped", e)), "found among the causes");
            CrystalDbException translated = SqliteDatabase.ownFile(db, Duration.ofSeconds(7)).translate(e, "change " + db);
            assertEquals(ExitCode.BUSY, translated.exitCode());
            assertTrue(translated.getMessage().contains("is in use") && translated.getMessage().contains("--lock-timeout 7s"), translated.getMessage());
        }
    }

    /** An extended code counts as its primary code: a stale read snapshot in WAL mode is SQLITE_BUSY_SNAPSHOT, busy. */
    @Test
    void aWriteFromAStaleSnapshotIsBusy() throws Exception {
        Path db = database("wal.db");
        TestDb.execute(db, "PRAGMA journal_mode=WAL");
        try (Connection reader = TestDb.connect(db); Statement statement = reader.createStatement();
             Connection writer = TestDb.connect(db); Statement other = writer.createStatement()) {
            statement.execute("BEGIN");
            statement.executeQuery("SELECT count(*) FROM t").close();
            other.execute("INSERT INTO t VALUES (0, NULL)");
            SQLException e = failing(reader, "INSERT INTO t VALUES (-1, NULL)");
            assertEquals(SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT, SqliteFailure.resultCode(e), e.getMessage());
            assertEquals(SqliteFailure.BUSY, SqliteFailure.of(e));
        }
    }

    @Test
    void aFileThatIsNoDatabaseIsNotADatabase() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.db"), "these are notes, not a database\n".repeat(200));
        try (Connection connection = TestDb.connect(file)) {
            SQLException e = failing(connection, "PRAGMA schema_version");
            assertEquals(SqliteFailure.NOT_A_DATABASE, SqliteFailure.of(e), e.getMessage());
            assertTrue(SqliteFailure.isDamaged(e));
        }
    }

    @Test
    void aBrokenPageIsDamagedAndReadingItSaysSo() throws Exception {
        Path db = database("damaged.db");
        try (RandomAccessFile file = new RandomAccessFile(db.toFile(), "rw")) {
            file.seek(4096 * 3L); // a page of table t, past the header and the schema
            file.write(new byte[4096 * 4]);
            for (int i = 0; i < 4096 * 4; i += 7) {
                file.seek(4096 * 3L + i);
                file.write(0xff);
            }
        }
        try (Connection connection = TestDb.connect(db)) {
            SQLException e = failing(connection, "SELECT sum(length(pad)) FROM t");
            assertEquals(SqliteFailure.DAMAGED, SqliteFailure.of(e), e.getMessage());
            assertTrue(SqliteFailure.isDamaged(e));
        }
    }

    @Test
    void aWriteThroughAReadOnlyConnectionIsReadOnly() throws Exception {
        Path db = database("readonly.db");
        try (Connection connection = SqliteDatabase.ownFile(db, Duration.ofSeconds(1)).openReadOnly()) {
            SQLException e = failing(connection, "INSERT INTO t VALUES (1, NULL)");
            assertEquals(SqliteFailure.READ_ONLY, SqliteFailure.of(e), e.getMessage());
        }
    }

    /** A writer's journal copied away mid-transaction with its database is hot: a read-only open must roll it back first. */
    @Test
    void aHotJournalOnAReadOnlyOpenIsAHotJournalAndForReadingSaysSo() throws Exception {
        Path db = database("app.db");
        Path copy = dir.resolve("crashed.db");
        try (Connection writer = TestDb.connect(db); Statement statement = writer.createStatement()) {
            statement.execute("PRAGMA cache_size=10"); // the change spills into the file, its old pages into the journal
            statement.execute("BEGIN");
            statement.execute("UPDATE t SET pad = randomblob(300)");
            Files.copy(db, copy);
            Files.copy(Path.of(db + "-journal"), Path.of(copy + "-journal"));
        }
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        try (Connection connection = readOnly.createConnection("jdbc:sqlite:" + copy)) {
            SQLException e = failing(connection, "SELECT count(*) FROM t");
            assertEquals(SqliteFailure.HOT_JOURNAL, SqliteFailure.of(e), e.getMessage());
        }
        CrystalDbException refused = assertThrows(CrystalDbException.class, () -> SqliteDatabase.forReading(copy, Duration.ofSeconds(1)));
        assertEquals(ExitCode.FAILED, refused.exitCode());
        assertTrue(refused.getMessage().contains("has a hot journal"), refused.getMessage());
    }

    /** Opened without SQLITE_OPEN_CREATE, as every database but a new one is. */
    @Test
    void aMissingFileCannotBeOpened() {
        Path missing = dir.resolve("missing.db");
        CrystalDbException e = assertThrows(CrystalDbException.class, () -> SqliteDatabase.ownFile(missing, Duration.ofSeconds(1)).open().close());
        assertEquals(SqliteFailure.CANNOT_OPEN, SqliteFailure.of(e), e.getMessage());
        assertEquals(ExitCode.FAILED, e.exitCode());
    }

    /** A disk that fills: a tiny tmpfs (root only; under CI=true a test that cannot mount it fails). */
    @Test
    void aFullDiskIsDiskFullAndSaysFreeSomeSpace() throws Exception {
        Path small = TestDb.mountTmpfs(dir.resolve("small"), "1m");
        try {
            Path db = small.resolve("app.db");
            TestDb.execute(db, "CREATE TABLE t (pad BLOB)");
            TestDb.fill(small.resolve("filler"), 1 << 20);
            try (Connection connection = TestDb.connect(db)) {
                SQLException e = failing(connection, "INSERT INTO t SELECT randomblob(100000) FROM (SELECT 1 UNION ALL SELECT 2)");
                assertEquals(SqliteFailure.DISK_FULL, SqliteFailure.of(e), e.getMessage());
                CrystalDbException translated = SqliteDatabase.ownFile(db, Duration.ofSeconds(1)).translate(e, "upgrade " + db);
                assertEquals(ExitCode.FAILED, translated.exitCode());
                assertEquals("cannot upgrade " + db + ": the disk is full; free some space and run again", translated.getMessage());
            }
        } finally {
            TestDb.unmount(small);
        }
    }

    @Test
    void extendedCodesCountAsTheirPrimaryCode() {
        assertEquals(SqliteFailure.IO_ERROR, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_IOERR_WRITE.code));
        assertEquals(SqliteFailure.IO_ERROR, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_IOERR_FSYNC.code));
        assertEquals(SqliteFailure.DAMAGED, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_CORRUPT_INDEX.code));
        assertEquals(SqliteFailure.READ_ONLY, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_READONLY_DBMOVED.code));
        assertEquals(SqliteFailure.HOT_JOURNAL, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_READONLY_ROLLBACK.code));
        assertEquals(SqliteFailure.CANNOT_OPEN, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_CANTOPEN_ISDIR.code));
        assertEquals(SqliteFailure.BUSY, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_BUSY_TIMEOUT.code));
        assertEquals(SqliteFailure.DISK_FULL, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_FULL.code));
        assertEquals(SqliteFailure.OTHER, SqliteFailure.ofCode(SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE.code));
        assertEquals(SqliteFailure.OTHER, SqliteFailure.ofCode(12345));
    }

    /** Only the code counts: a message that merely reads like SQLite's is not SQLite's error. */
    @Test
    void messageTextAloneIsNotAnSqliteFailure() {
        IOException lookalike = new IOException("[SQLITE_BUSY] The database file is locked (database is locked)");
        assertEquals(SqliteFailure.NOT_SQLITE, SqliteFailure.of(lookalike));
        assertNull(SqliteFailure.resultCode(lookalike));
        assertTrue(!SqliteFailure.isBusy(new SQLException("database is locked")));
    }

    @Test
    void sqlitesOwnWordsComeWithoutSqliteJdbcsWrapping() throws Exception {
        Path db = database("constraint.db");
        TestDb.execute(db, "CREATE TABLE c (qty INTEGER CHECK (qty > 5))");
        try (Connection connection = TestDb.connect(db)) {
            SQLException e = failing(connection, "INSERT INTO c VALUES (1)");
            assertEquals(SqliteFailure.OTHER, SqliteFailure.of(e));
            assertEquals("CHECK constraint failed: qty > 5", SqliteFailure.sqliteMessage(e));
        }
        assertEquals("plain words", SqliteFailure.sqliteMessage(new SQLException("plain words")));
    }
}
