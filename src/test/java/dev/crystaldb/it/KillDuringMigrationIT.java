package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.await;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.integrityCheck;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.slowInsert;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PRODUCT.md §5: kill -9 at any moment leaves the database valid, at a version it was at, and the next run works. */
class KillDuringMigrationIT {
    /** V2 inserts ITERATIONS / 5 rows; takes a few seconds here. */
    static final long ITERATIONS = 20_000_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void killMinus9DuringALongMigrationLeavesVersion1AndTheNextUpgradeCompletes() throws Exception {
        Path db = killDuringV2(false);

        // The test's own JDBC connection opens the file first and, like any read-write SQLite connection, rolls the
        // hot journal back; in the last test of this class crystal-db is the first to open it.
        assertEquals("ok", integrityCheck(db));
        assertEquals(List.of("1"), appliedVersions(db));
        assertFalse(tableExists(db, "slow"), "V2's table survived the kill");
        assertEquals(3, count(db, "base"), "V1's rows are intact");

        CrystalDb.Result again = ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y");
        assertTrue(again.stdout().contains("applied 2"), again::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertEquals(ITERATIONS / 5, count(db, "slow"));
        assertEquals("ok", integrityCheck(db));
    }

    @Test
    @Timeout(120)
    void killMinus9DuringALongMigrationOfAWalDatabaseLeavesVersion1AndTheNextRunCompletes() throws Exception {
        Path db = killDuringV2(true);

        // crystal-db is the first to open the file after the kill (apps in production usually run in WAL mode)
        CrystalDb.Result status = ok(dir, "--db", db.toString(), "--migrations", "m", "status", "--json");
        assertTrue(status.stdout().contains("\"current_version\": \"1\""), status::describe);
        assertEquals("ok", integrityCheck(db));
        assertEquals(List.of("1"), appliedVersions(db));
        assertFalse(tableExists(db, "slow"), "V2's table survived the kill");

        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y");
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertEquals(ITERATIONS / 5, count(db, "slow"));
        assertEquals("ok", integrityCheck(db));
    }

    @Test
    @Timeout(120)
    void theVeryNextCrystalDbRunAfterAKillRecoversTheDatabaseByItself() throws Exception {
        Path db = killDuringV2(false);

        // Nothing but crystal-db touches the file after the kill: the next upgrade must roll the hot journal back itself.
        CrystalDb.Result again = ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y");
        assertTrue(again.stdout().contains("applied 2"), again::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertEquals(ITERATIONS / 5, count(db, "slow"));
        assertEquals("ok", integrityCheck(db));
    }

    /**
     * Creates a database at version 1 (in WAL mode if asked), starts the slow V2 and kills it with SIGKILL while it
     * writes: rollback journal mode spills pages into the database file, WAL mode appends to the -wal file.
     */
    private Path killDuringV2(boolean wal) throws Exception {
        migrations(dir.resolve("m"),
                "V1__base.sql", "CREATE TABLE base (id INTEGER PRIMARY KEY, name TEXT);\n"
                        + "INSERT INTO base (name) VALUES ('a'), ('b'), ('c');\n",
                "V2__slow.sql", "CREATE TABLE slow (id INTEGER PRIMARY KEY, v INTEGER);\n" + slowInsert("slow", ITERATIONS));
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "1", "--create");
        if (wal) {
            try (Connection connection = CrystalDb.connect(db); Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
            }
        }
        long sizeAtV1 = Files.size(db);
        Path journal = Path.of(db + "-journal");
        Path walFile = Path.of(db + "-wal");
        BooleanSupplier writing = wal
                ? () -> sizeOf(walFile) > 1_000_000
                : () -> Files.exists(journal) && sizeOf(db) > sizeAtV1 + 1_000_000;

        try (CrystalDb.Run upgrade = CrystalDb.start(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "-y")) {
            await(Duration.ofSeconds(30), () -> upgrade.stderrSoFar().contains("backup: ") || !upgrade.isAlive(),
                    "the upgrade has taken its backup and starts V2");
            await(Duration.ofSeconds(30), () -> !upgrade.isAlive() || writing.getAsBoolean(), "V2 is writing");
            Thread.sleep(300);
            assertTrue(upgrade.isAlive(), "the upgrade finished before it could be killed; make V2 slower\n" + upgrade.stderrSoFar());
            upgrade.killTree();
            assertFalse(upgrade.isAlive());
        }
        assertTrue(Files.exists(db));
        // the kill hit an open write transaction: its journal (hot journal or uncommitted WAL frames) is still there
        assertTrue(wal ? sizeOf(walFile) > 0 : Files.exists(journal), "the kill left no journal behind");
        return db;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (Exception e) {
            return 0;
        }
    }
}
