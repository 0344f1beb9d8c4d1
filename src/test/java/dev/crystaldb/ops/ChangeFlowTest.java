package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.progress.Progress;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change flows of ops/ without picocli: the order lock, write lock, backup, apply, check, on real files. */
class ChangeFlowTest {
    @TempDir
    Path dir;

    private final List<String> notices = new ArrayList<>();

    private UpgradeService upgrades(Duration lockTimeout) {
        return new UpgradeService(new BackupWriter(Clock.systemUTC()), Progress.NONE, notices::add, lockTimeout);
    }

    private UpgradeService.Request request(Path db, MigrationSet migrations, String target, boolean create) {
        return new UpgradeService.Request(db, migrations, target, create, true, false, dir.resolve("backups"), false);
    }

    @Test
    void aFailedFirstUpgradeOfANewDatabaseLeavesNoFile() throws Exception {
        Path m = dir.resolve("m");
        TestDb.write(m, "V1__a.sql", "CREATE TABLE a(x);");
        TestDb.write(m, "V2__b.sql", "INSERT INTO nowhere VALUES (1);");
        Path db = dir.resolve("new.db");
        CrystalDbException error = assertThrows(CrystalDbException.class,
                () -> upgrades(Duration.ofSeconds(2)).upgrade(request(db, MigrationSet.fromDirectory(m), null, true), plan -> true));
        assertEquals(ExitCode.FAILED, error.exitCode(), error.getMessage());
        assertEquals(List.of("new.db.crystal-db.lock", "m"), TestDb.fileNames(dir).stream().sorted((a, b) -> b.compareTo(a)).toList());
    }

    @Test
    void anAppHoldingTheWriteLockIsAnnouncedAtOnceAndAnUpgradeThatEndsBusyLeavesNoBackup() throws Exception {
        Path db = dir.resolve("budget.db");
        upgrades(Duration.ofSeconds(2)).upgrade(request(db, MigrationSet.bundled(), "3", true), plan -> true);
        String before = TestDb.sha256(db);
        try (Connection app = TestDb.connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            CrystalDbException error = assertThrows(CrystalDbException.class,
                    () -> upgrades(Duration.ofSeconds(1)).upgrade(request(db, MigrationSet.bundled(), null, false), plan -> true));
            assertEquals(ExitCode.BUSY, error.exitCode(), error.getMessage());
            statement.execute("ROLLBACK");
        }
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("waiting for the write lock on " + db + ", held by ")), notices.toString());
        assertFalse(notices.stream().anyMatch(n -> n.startsWith("backing up")), "no backup was started: " + notices);
        assertEquals(List.of(), TestDb.fileNames(dir.resolve("backups")), "a busy run leaves no backup behind");
        assertEquals(before, TestDb.sha256(db));
    }

    @Test
    void cancellingAtTheQuestionChangesNothingAndTakesNoBackup() throws Exception {
        Path db = dir.resolve("budget.db");
        upgrades(Duration.ofSeconds(2)).upgrade(request(db, MigrationSet.bundled(), "3", true), plan -> true);
        String before = TestDb.sha256(db);
        CrystalDbException error = assertThrows(CrystalDbException.class,
                () -> upgrades(Duration.ofSeconds(2)).upgrade(request(db, MigrationSet.bundled(), null, false), plan -> false));
        assertEquals(ExitCode.FAILED, error.exitCode());
        assertEquals(before, TestDb.sha256(db));
        assertTrue(Files.notExists(dir.resolve("backups")) || TestDb.fileNames(dir.resolve("backups")).isEmpty());
    }
}
