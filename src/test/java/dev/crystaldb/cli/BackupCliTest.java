package dev.crystaldb.cli;

import dev.crystaldb.support.Safety;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** backup, backups, rollback and verify through the command line, checked on the files. */
class BackupCliTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("budget.db");
    }

    private Cli.Run run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--db";
        all[1] = db().toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    private List<String> backupNames() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void rollbackBeforeUpgradeGivesBackExactlyTheBackedUpRowsAndVersion() throws Exception {
        assertEquals(0, run("upgrade", "3", "--create").exit());
        TestDb.execute(db(), "INSERT INTO users(id, email, name) VALUES (1, 'anna@example.org', 'Anna')",
                "INSERT INTO income(user_id, amount, month, date) VALUES (1, 100, '2025-10', '2025-10-01')");
        List<String> rowsAtBackup = TestDb.strings(db(), "SELECT id || email || name FROM users");
        List<String> schemaAtBackup = TestDb.schema(db());

        assertEquals(0, run("upgrade").exit());
        TestDb.execute(db(), "INSERT INTO users(id, email, name) VALUES (2, 'boris@example.org', 'Boris')");

        Cli.Run rollback = run("rollback", "--before-upgrade");
        assertEquals(0, rollback.exit(), rollback.toString());
        assertTrue(rollback.out().contains("database is at version 3"), rollback.toString());
        assertEquals(rowsAtBackup, TestDb.strings(db(), "SELECT id || email || name FROM users"));
        assertEquals(schemaAtBackup, TestDb.schema(db()));
        assertEquals(List.of("1:1", "2:1", "3:1"), TestDb.history(db()));

        Path emergency = backupNames().stream().filter(n -> n.endsWith("_emergency.db")).map(dir.resolve("backups")::resolve)
                .findFirst().orElseThrow();
        assertEquals(List.of("Anna", "Boris"), TestDb.strings(emergency, "SELECT name FROM users ORDER BY id"));
        assertEquals(List.of("1:1", "2:1", "3:1", "4:1", "5:1"), TestDb.history(emergency));
        assertFalse(Files.exists(Path.of(db() + "-wal")));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "no staged copy left");
        }
    }

    @Test
    void rollbackOfAWalDatabaseKeepsWalModeAndTheEmergencyBackupHoldsTheReplacedState() throws Exception {
        run("upgrade", "--create");
        TestDb.execute(db(), "PRAGMA journal_mode=WAL", "INSERT INTO users(email, name) VALUES ('a@example.org', 'A')");
        run("backup");
        TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('b@example.org', 'B')");

        Cli.Run rollback = run("rollback", "--latest");
        assertEquals(0, rollback.exit(), rollback.toString());
        assertEquals(List.of("wal"), TestDb.strings(db(), "PRAGMA journal_mode"));
        assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"));
        Path emergency = dir.resolve("backups").resolve(backupNames().stream().filter(n -> n.endsWith("_emergency.db")).findFirst().orElseThrow());
        assertEquals(List.of("A", "B"), TestDb.strings(emergency, "SELECT name FROM users ORDER BY id"));
        assertEquals(List.of("delete"), TestDb.strings(emergency, "PRAGMA journal_mode"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(emergency)));
    }

    @Test
    void onAnotherFilesystemTheEmergencyBackupIsACopy() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other-fs"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", other.toString()).redirectErrorStream(true).start();
        Safety.assume(mount.waitFor() == 0, "cannot mount a tmpfs here (needs root)");
        try {
            run("upgrade", "--create");
            TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('a@example.org', 'A')");
            assertEquals(0, run("--backup-dir", other.toString(), "backup").exit());
            TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('b@example.org', 'B')");
            Cli.Run rollback = run("--backup-dir", other.toString(), "rollback", "--latest");
            assertEquals(0, rollback.exit(), rollback.toString());
            try (Stream<Path> files = Files.list(other)) {
                Path emergency = files.filter(p -> p.getFileName().toString().endsWith("_emergency.db")).findFirst().orElseThrow();
                assertEquals(List.of("A", "B"), TestDb.strings(emergency, "SELECT name FROM users ORDER BY id"));
            }
            assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"));
        } finally {
            new ProcessBuilder("umount", other.toString()).start().waitFor();
        }
    }

    /** Issue 12, item 12: --latest means the newest backup, never the emergency copy of the state a rollback replaced. */
    @Test
    void rollbackLatestRightAfterARollbackDoesNotUndoIt() throws Exception {
        run("upgrade", "--create");
        TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('a@example.org', 'A')");
        assertEquals(0, run("backup").exit());
        TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('b@example.org', 'B')");
        assertEquals(0, run("rollback", "--latest").exit());
        assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"));

        Cli.Run again = run("rollback", "--latest");
        assertEquals(0, again.exit(), again.toString());
        assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"), "--latest restored the emergency copy: the rollback was undone");
        String restored = again.out().lines().filter(l -> l.startsWith("restored ")).findFirst().orElseThrow();
        assertFalse(restored.contains("_emergency"), restored);
        assertEquals(2, backupNames().stream().filter(n -> n.contains("_emergency")).count());
    }

    @Test
    void aFileWithABackupsShapeButAnImpossibleDateStopsNeitherListingNorRetentionNorRollback() throws Exception {
        run("upgrade", "--create");
        TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('a@example.org', 'A')");
        assertEquals(0, run("backup").exit());
        Files.writeString(dir.resolve("backups/budget_20251301_000000.db"), "not ours");
        Files.writeString(dir.resolve("backups/budget_20250101_000000-99999999999_x.db"), "not ours either");
        Cli.Run list = run("backups");
        assertEquals(0, list.exit(), list.toString());
        assertEquals(0, run("backup", "--keep", "1").exit());
        TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('b@example.org', 'B')");
        Cli.Run rollback = run("rollback", "--latest");
        assertEquals(0, rollback.exit(), rollback.toString());
        assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"));
        assertTrue(backupNames().contains("budget_20251301_000000.db"), "retention deleted a file crystal-db never wrote");
    }

    /** Review of issue 12: a raw emergency copy is the file and its -wal; restoring it keeps the commits in the -wal. */
    @Test
    void aRawEmergencyCopyIsRestoredWithTheCommitsInItsWal() throws Exception {
        run("upgrade", "--create");
        TestDb.execute(db(), "PRAGMA journal_mode=WAL");
        Path backups = Files.createDirectories(dir.resolve("backups"));
        String raw = "budget_20260101_000000_emergency-raw.db";
        try (java.sql.Connection app = TestDb.connect(db()); java.sql.Statement statement = app.createStatement()) {
            statement.execute("PRAGMA wal_autocheckpoint = 0");
            statement.execute("INSERT INTO users(email, name) VALUES ('in-wal@example.org', 'only in the -wal')");
            // copied byte for byte while the connection keeps the frame in the -wal, as writeRawCopy does
            Files.copy(db(), backups.resolve(raw));
            Files.copy(Path.of(db() + "-wal"), backups.resolve(raw + "-wal"));
        }
        assertTrue(Files.size(backups.resolve(raw + "-wal")) > 0, "the -wal holds the commit");
        TestDb.execute(db(), "DELETE FROM users");
        Cli.Run rollback = run("rollback", raw);
        assertEquals(0, rollback.exit(), rollback.toString());
        assertEquals(List.of("only in the -wal"), TestDb.strings(db(), "SELECT name FROM users"), "the commit in the raw copy's -wal was lost");
        assertTrue(Files.exists(backups.resolve(raw + "-wal")), "the backup itself was changed");
    }

    @Test
    void rollbackLatestSaysWhetherThereIsNoBackupAtAllOrOnlyEmergencyCopies() throws Exception {
        run("upgrade", "--create");
        Cli.Run none = run("rollback", "--latest");
        assertEquals(2, none.exit(), none.toString());
        assertTrue(none.err().contains("no backups in " + dir.resolve("backups") + ": nothing to restore"), none.toString());

        assertEquals(0, run("backup").exit());
        assertEquals(0, run("rollback", "--latest").exit()); // leaves an emergency copy
        for (String name : backupNames()) {
            if (!name.contains("_emergency")) {
                Files.delete(dir.resolve("backups").resolve(name));
            }
        }
        String before = TestDb.sha256(db());
        Cli.Run onlyEmergency = run("rollback", "--latest");
        assertEquals(2, onlyEmergency.exit(), onlyEmergency.toString());
        assertTrue(onlyEmergency.err().contains("only emergency copies or unreadable files"), onlyEmergency.toString());
        assertEquals(before, TestDb.sha256(db()), "a refused rollback changed the database");
    }

    @Test
    void compressedBackupsAreListedAndRestorable() throws Exception {
        run("upgrade", "2", "--create");
        TestDb.execute(db(), "INSERT INTO users(email, name) VALUES ('a@example.org', 'A')");
        Cli.Run backup = run("backup", "--compress");
        assertEquals(0, backup.exit(), backup.toString());
        String gz = backupNames().get(0);
        assertTrue(gz.matches("budget_\\d{8}_\\d{6}_manual\\.db\\.gz"), gz);
        TestDb.execute(db(), "DELETE FROM users");

        Cli.Run list = run("backups");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(gz) && l.contains(" 2 ") && l.endsWith("gzip")), list.out());
        assertEquals(0, run("rollback", gz).exit());
        assertEquals(List.of("A"), TestDb.strings(db(), "SELECT name FROM users"));
    }

    @Test
    void rollbackRefusesNamesThatAreNotBackupsAndDamagedBackups() throws Exception {
        run("upgrade", "--create");
        run("backup");
        String before = TestDb.sha256(db());
        assertEquals(2, run("rollback", "../budget.db").exit());
        assertEquals(2, run("rollback", "/etc/passwd").exit());
        assertEquals(2, run("rollback", "budget_19990101_000000.db").exit());
        assertEquals(2, run("rollback").exit(), "no choice and no terminal");
        assertEquals(2, run("rollback", "--latest", "--before-upgrade").exit());
        Files.writeString(dir.resolve("backups/budget_20000101_000000.db"), "not a database");
        Cli.Run damaged = run("rollback", "budget_20000101_000000.db");
        assertEquals(2, damaged.exit(), damaged.toString());
        assertTrue(damaged.err().contains("cannot be restored (not an SQLite database"), damaged.toString());
        assertEquals(before, TestDb.sha256(db()));
        assertEquals(2, backupNames().size(), "no emergency backup when the chosen backup is refused");

        Cli.Run list = run("backups", "--json");
        assertTrue(list.out().contains("\"readable\": false"), list.out());
    }

    @Test
    void retentionPrunesOnlyItsOwnPlainBackupsAndNamesThem() throws Exception {
        run("upgrade", "--create");
        Path backups = Files.createDirectories(dir.resolve("backups"));
        for (String name : List.of("budget_20200101_031500.db", "budget_20200102_031500.db", "budget_20200103_031500_pre-upgrade.db",
                "notes.txt", "other_20200101_031500.db")) {
            Files.copy(db(), backups.resolve(name)); // whole databases: retention never counts a broken file as a backup
        }
        Cli.Run run = run("backup", "--keep", "2");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.err().contains("pruned: " + backups.resolve("budget_20200101_031500.db")
                + " (a scheduled backup no --keep, --keep-daily, --keep-weekly or --keep-monthly rule keeps)\n"), run.toString());
        List<String> names = backupNames();
        assertFalse(names.contains("budget_20200101_031500.db"));
        assertTrue(names.containsAll(List.of("budget_20200102_031500.db", "budget_20200103_031500_pre-upgrade.db", "notes.txt",
                "other_20200101_031500.db")), names.toString());
        assertEquals(2, run("backup", "--keep", "0").exit(), "a zero count is refused");
    }

    @Test
    void verifyReportsEachCheckAndExits4OnAnyProblem() throws Exception {
        Path m = TestDb.copyBundled(dir.resolve("m"));
        assertEquals(0, Cli.run("--db", db().toString(), "--migrations", m.toString(), "upgrade", "--create").exit());
        Cli.Run ok = Cli.run("--db", db().toString(), "--migrations", m.toString(), "verify");
        assertEquals(0, ok.exit(), ok.toString());
        assertEquals("ok      integrity_check\nok      foreign_key_check\nok      applied migrations match their files\nok      schema matches version 5\n", ok.out());

        TestDb.execute(db(), "INSERT INTO expenses(user_id, category_id, amount, date) VALUES (7, 7, 1, '2025-01-01')");
        Files.writeString(m.resolve("V3__add_date_to_income.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);
        Cli.Run bad = Cli.run("--db", db().toString(), "--migrations", m.toString(), "verify");
        assertEquals(4, bad.exit(), bad.toString());
        assertTrue(bad.out().contains("FAILED  foreign_key_check\n        table expenses rowid 1 refers to a missing row in"), bad.out());
        assertTrue(bad.out().contains("FAILED  applied migrations match their files\n        V3__add_date_to_income.sql was changed"), bad.out());
    }
}
