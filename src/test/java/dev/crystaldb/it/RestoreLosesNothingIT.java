package dev.crystaldb.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.crystaldb.it.CrystalDb.assertNoStackTrace;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.integrityCheck;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restore loses no committed transaction (issue 12, item 2): an app that opens a connection per
 * request keeps committing while ten rollbacks run, and every id it was told is saved ends up in the
 * emergency backup of the rollback it raced or in the database. Rollbacks that find the app with
 * the file open refuse (exit 3) and change nothing; those that complete must lose nothing.
 */
class RestoreLosesNothingIT {
    private static final int ATTEMPTS = 10;
    /** On a loaded machine most rollbacks find the app's file open (exit 3): go on until two completed. */
    private static final int MAX_ATTEMPTS = 40;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "journal mode {0}")
    @ValueSource(strings = {"wal", "delete"})
    @Timeout(300)
    void everyCommitLandsInTheEmergencyBackupOrTheRestoredDatabase(String journalMode) throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection connection = CrystalDb.create(db); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=" + journalMode);
            statement.execute("CREATE TABLE log (id INTEGER PRIMARY KEY)");
        }
        ok(dir, "--db", db.toString(), "backup");
        String restoreThis = fileNames(dir.resolve("backups")).get(0);

        int completed = 0;
        int attempts = 0;
        List<Long> committed;
        // a commit every 5 ms: the race with the swap is met often enough to be a test
        try (CommittingWriter app = CommittingWriter.start(db, "log", dir.resolve("committed.log"), 5)) {
            for (; attempts < MAX_ATTEMPTS && (attempts < ATTEMPTS || completed < 2); attempts++) {
                Thread.sleep(100);
                CrystalDb.Result rollback = run(dir, "--db", db.toString(), "--lock-timeout", "4", "rollback", restoreThis, "--yes");
                assertTrue(rollback.exitCode() == 0 || rollback.exitCode() == 3, rollback::describe);
                assertNoStackTrace(rollback);
                completed += rollback.exitCode() == 0 ? 1 : 0;
            }
            Thread.sleep(300);
            app.close();
            committed = app.committed();
        }
        System.out.println("RestoreLosesNothingIT (" + journalMode + "): " + completed + " of " + attempts + " rollbacks completed, "
                + committed.size() + " commits");
        assertTrue(completed >= 2, "only " + completed + " of " + attempts + " rollbacks completed: the race was not run");
        assertTrue(committed.size() > 20, "the app committed only " + committed.size() + " rows");

        Set<Long> kept = new HashSet<>(ids(db));
        int emergencies = 0;
        for (String name : fileNames(dir.resolve("backups"))) {
            if (name.contains("_emergency")) {
                kept.addAll(ids(dir.resolve("backups").resolve(name)));
                emergencies++;
            }
        }
        assertEquals(completed, emergencies, "one emergency backup per completed rollback");
        List<Long> lost = committed.stream().filter(id -> !kept.contains(id)).toList();
        assertEquals(List.of(), lost, "committed ids found neither in an emergency backup nor in the database, after "
                + completed + " completed rollbacks");
        assertEquals("ok", integrityCheck(db));
    }

    private static List<Long> ids(Path db) {
        return CrystalDb.query(db, "SELECT id FROM log ORDER BY id").stream().map(Long::parseLong).toList();
    }
}
