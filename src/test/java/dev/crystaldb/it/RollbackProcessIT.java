package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;

import static dev.crystaldb.it.BackupProcessIT.FINAL_NAME;
import static dev.crystaldb.it.BackupProcessIT.backupFileOf;
import static dev.crystaldb.it.CrystalDb.assertNoStackTrace;
import static dev.crystaldb.it.CrystalDb.assertUntouched;
import static dev.crystaldb.it.CrystalDb.await;
import static dev.crystaldb.it.CrystalDb.blobDatabase;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.integrityCheck;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.rowsDigest;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.scalar;
import static dev.crystaldb.it.CrystalDb.sha256;
import static dev.crystaldb.it.CrystalDb.sizeOf;
import static dev.crystaldb.it.CrystalDb.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/operating.md "Restore (rollback)" with real processes: killed at any moment a rollback leaves the old
 * database or the restored one, never a mix; `--service` stops the unit before anything changes and starts it again
 * even when the restore fails.
 */
class RollbackProcessIT {
    static final String ALL_ROWS = "SELECT id, b FROM t ORDER BY id";

    @TempDir
    Path dir;

    // ------------------------------------------------------------ SIGKILL during rollback

    /** About 100 MB, so that each phase of a rollback (stage, emergency backup, swap) lasts long enough to be hit. */
    static final long ROWS = 100_000;

    /** Where in the rollback the kill lands: as soon as reached says so. */
    private record KillPoint(String name, Predicate<CrystalDb.Run> reached) {
    }

    @Test
    @Timeout(180)
    void killMinus9AtAnyMomentOfARollbackLeavesTheOldOrTheRestoredDatabaseAndTheNextRollbackWorks() throws Exception {
        Path db = dir.resolve("app.db");
        Path backups = dir.resolve("backups");
        Path wal = Path.of(db + "-wal");
        blobDatabase(db, "wal", "t", ROWS, 1000);
        String backupName = backupFileOf(ok(dir, "--db", db.toString(), "backup")).getFileName().toString();
        Path template = Files.createDirectory(dir.resolve("template")).resolve("app.db");
        Files.copy(db, template);
        String restored = rowsDigest(template, ALL_ROWS);
        String old = rowsDigest(template, "SELECT id, b FROM t WHERE id <= " + ROWS / 2 + " ORDER BY id");

        AtomicReference<Object> inodeAtStart = new AtomicReference<>();
        List<KillPoint> killPoints = List.of(
                new KillPoint("while the backup is staged", run -> run.stderrSoFar().contains("checking backup ")),
                // same filesystem: the emergency backup is a hard link to the old file, hidden until the swap is done
                new KillPoint("while the emergency link is pending",
                        run -> fileNames(backups).stream().anyMatch(name -> name.endsWith(".pending-emergency"))),
                new KillPoint("in the swap, once the old -wal is checkpointed and gone",
                        run -> fileNames(backups).stream().anyMatch(name -> name.endsWith(".pending-emergency")) && !Files.exists(wal)),
                new KillPoint("right after the rename", run -> !inodeAtStart.get().equals(inode(db))));
        List<String> outcomes = new ArrayList<>();
        for (KillPoint point : killPoints) {
            // the old database: the app deleted half of the rows and died with that commit still in its -wal
            resetTo(template, db, backups, backupName);
            CrashingWriter.commitAndDie(db, "DELETE FROM t WHERE id > " + ROWS / 2);
            assertTrue(sizeOf(wal) > 0, "the old database has no -wal: the test would not see one replayed");
            inodeAtStart.set(inode(db));

            boolean killed;
            try (CrystalDb.Run rollback = CrystalDb.start(dir, "--db", db.toString(), "rollback", backupName, "--yes")) {
                await(Duration.ofSeconds(60), () -> !rollback.isAlive() || point.reached().test(rollback), point.name());
                killed = rollback.isAlive();
                if (killed) {
                    rollback.killTree();
                } else {
                    CrystalDb.Result result = rollback.await();
                    assertEquals(0, result.exitCode(), result::describe);
                }
            }
            // looked at before anything opens the database: SQLite replays (or removes) a -wal on open
            long walBytes = sizeOf(wal);
            String what = "killed " + point.name() + (killed ? "" : " (no: the rollback ended before the kill)");

            assertEquals("ok", integrityCheck(db), what);
            String content = rowsDigest(db, ALL_ROWS);
            assertTrue(content.equals(old) || content.equals(restored),
                    what + ": the database holds neither the old nor the restored rows: " + content);
            boolean isRestored = content.equals(restored);
            outcomes.add(what + " -> " + (isRestored ? "restored" : "old") + " database, -wal " + walBytes + " bytes");
            if (isRestored) {
                assertEquals(0, walBytes, what + ": a -wal with frames lies beside the restored database");
            }
            assertEquals("wal", scalar(db, "PRAGMA journal_mode"), what + ": the database left WAL mode");
            assertTrue(fileNames(backups).contains(backupName), what + ": the backup being restored vanished");
            assertEmergencyBackupsHold(backups, old, what);

            // the next rollback of the same backup succeeds and tidies up after the killed one
            CrystalDb.Result again = ok(dir, "--db", db.toString(), "rollback", backupName, "--yes");
            assertEquals("ok", integrityCheck(db), what + ", then rolled back again");
            assertEquals(restored, rowsDigest(db, ALL_ROWS), what + ", then rolled back again:\n" + again.describe());
            assertEquals("wal", scalar(db, "PRAGMA journal_mode"));
            assertTrue(fileNames(dir).stream().noneMatch(name -> name.startsWith(".app.db.restore-")),
                    what + ": the staged copy of the killed rollback was not removed: " + fileNames(dir));
            assertTrue(fileNames(backups).stream().noneMatch(name -> name.startsWith(".")),
                    what + ": the hidden files of the killed emergency backup were not removed: " + fileNames(backups));
        }
        System.out.println("RollbackProcessIT kill points:\n  " + String.join("\n  ", outcomes));
    }

    private static Object inode(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    /** db becomes a copy of template with nothing beside it; only the backup to restore stays in backups. */
    private static void resetTo(Path template, Path db, Path backups, String keep) throws IOException {
        for (String suffix : new String[]{"-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        Files.copy(template, db, StandardCopyOption.REPLACE_EXISTING);
        for (String name : fileNames(backups)) {
            if (!name.equals(keep)) {
                Files.delete(backups.resolve(name));
            }
        }
    }

    /** Every emergency backup under a final name is a complete, sound copy holding exactly digest. */
    private static void assertEmergencyBackupsHold(Path backups, String digest, String what) throws Exception {
        for (String name : fileNames(backups)) {
            if (FINAL_NAME.matcher(name).matches() && name.contains("_emergency")) {
                Path copy = backups.resolve(name);
                BackupProcessIT.assertSelfContained(copy);
                assertEquals("ok", integrityCheck(copy), what + ": emergency backup " + name);
                assertEquals(digest, rowsDigest(copy, ALL_ROWS), what + ": emergency backup " + name + " holds other rows");
                Files.delete(copy); // checked; the next one is checked on its own
            }
        }
    }

    // ------------------------------------------------------------ --service with a fake systemctl

    /**
     * A WAL database and one backup of it (a copy of the closed file, as `backup` makes them: self-contained, named
     * by the pattern) holding ten rows; five rows were deleted since. "old" is rows 1..5, "restored" rows 1..10.
     */
    private Path smallDatabaseWithABackup() throws Exception {
        Path db = dir.resolve("app.db");
        blobDatabase(db, "delete", "t", 10, 100);
        Files.copy(db, Files.createDirectory(dir.resolve("backups")).resolve("app_20240101_120000.db"));
        try (Connection connection = connect(db); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("DELETE FROM t WHERE id > 5");
        }
        return db;
    }

    /**
     * A directory holding a `systemctl` that appends its arguments to systemctl.log and copies the database, as it
     * is at that moment, to snapshots/ACTION.db, then exits 0. Absolute paths only: it works under any PATH.
     */
    private Path fakeSystemctl(Path db) throws IOException {
        Path bin = Files.createDirectory(dir.resolve("fake-bin"));
        Files.createDirectory(dir.resolve("snapshots"));
        Path script = bin.resolve("systemctl");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo \"$*\" >> '" + dir.resolve("systemctl.log") + "'\n"
                + "'" + onPath("cp") + "' '" + db + "' '" + dir.resolve("snapshots") + "/'\"$1\".db\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private List<String> systemctlCalls() throws IOException {
        Path log = dir.resolve("systemctl.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private static Map<String, String> pathWith(Path bin) {
        return Map.of("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    }

    @Test
    @Timeout(60)
    void serviceIsStoppedBeforeTheDatabaseIsReplacedAndStartedAfter() throws Exception {
        Path db = smallDatabaseWithABackup();
        String old = rowsDigest(db, ALL_ROWS);
        Path bin = fakeSystemctl(db);

        CrystalDb.Result result = run(dir, pathWith(bin), "--db", db.toString(), "rollback", "--latest", "--yes",
                "--service", "app.service");

        assertEquals(0, result.exitCode(), result::describe);
        assertEquals(List.of("stop app.service", "start app.service"), systemctlCalls(), result::describe);
        Path atStop = dir.resolve("snapshots/stop.db");
        Path atStart = dir.resolve("snapshots/start.db");
        assertEquals(old, rowsDigest(atStop, ALL_ROWS), "the database had already changed when the service was stopped");
        assertEquals(5, CrystalDb.count(atStop, "t"));
        assertEquals(10, CrystalDb.count(atStart, "t"), "the service was started before the backup was in place");
        assertEquals(10, CrystalDb.count(db, "t"));
        assertEquals("ok", integrityCheck(db));
        String stderr = result.stderr();
        assertTrue(stderr.indexOf("stopping app.service") < stderr.indexOf("emergency backup")
                && stderr.indexOf("emergency backup") < stderr.indexOf("starting app.service"), result::describe);
    }

    @Test
    @Timeout(60)
    void aDamagedBackupIsRefusedBeforeTheServiceIsStoppedAndNothingChanges() throws Exception {
        Path db = smallDatabaseWithABackup();
        Path bin = fakeSystemctl(db);
        String damaged = "app_20200101_000000.db";
        Files.writeString(dir.resolve("backups").resolve(damaged), "this is not an SQLite database\n".repeat(200));
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = run(dir, pathWith(bin), "--db", db.toString(), "rollback", damaged, "--yes",
                "--service", "app.service");

        assertEquals(2, result.exitCode(), result::describe);
        assertNoStackTrace(result);
        assertEquals(1, result.errorLines().size(), result::describe);
        assertTrue(result.errorLines().get(0).contains(damaged), result::describe);
        assertEquals(List.of(), systemctlCalls(), "systemctl was called for a restore that could not happen");
        assertUntouched(before, dir);
        assertEquals(5, CrystalDb.count(db, "t"));
    }

    /** A .db.gz that is no gzip, or one cut short, is a damaged backup like any other: refused, exit 2, nothing changed. */
    @Test
    @Timeout(60)
    void aDamagedCompressedBackupIsRefusedLikeAPlainOne() throws Exception {
        Path db = smallDatabaseWithABackup();
        Path backups = dir.resolve("backups");
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(zipped)) {
            out.write(Files.readAllBytes(db));
        }
        byte[] whole = zipped.toByteArray();
        Files.writeString(backups.resolve("app_20200101_000000.db.gz"), "this is not gzip\n".repeat(200));
        Files.write(backups.resolve("app_20200102_000000.db.gz"), Arrays.copyOf(whole, whole.length / 2));
        for (String damaged : List.of("app_20200101_000000.db.gz", "app_20200102_000000.db.gz")) {
            Map<String, String> before = snapshot(dir);

            CrystalDb.Result result = run(dir, "--db", db.toString(), "rollback", damaged, "--yes");

            assertEquals(2, result.exitCode(), result::describe);
            assertNoStackTrace(result);
            assertEquals(1, result.errorLines().size(), result::describe);
            assertTrue(result.errorLines().get(0).contains(damaged + " cannot be restored"), result::describe);
            assertTrue(result.errorLines().get(0).contains("choose another one"), result::describe);
            assertUntouched(before, dir);
            assertEquals(5, CrystalDb.count(db, "t"));
        }
    }

    @Test
    @Timeout(60)
    void aRestoreThatFailsAfterTheStopStillStartsTheServiceAndLeavesTheDatabase() throws Exception {
        Path db = smallDatabaseWithABackup();
        Path bin = fakeSystemctl(db);
        String bytes = sha256(db);
        String old = rowsDigest(db, ALL_ROWS);

        CrystalDb.Result result;
        // this JVM is "the app that did not stop": a write transaction open on the database, in another process
        try (Connection app = connect(db); Statement statement = app.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            result = run(dir, pathWith(bin), "--db", db.toString(), "rollback", "--latest", "--yes",
                    "--service", "app.service", "--lock-timeout", "2");
            statement.execute("ROLLBACK");
        }

        assertEquals(3, result.exitCode(), result::describe);
        assertNoStackTrace(result);
        assertEquals(1, result.errorLines().size(), result::describe);
        assertTrue(result.errorLines().get(0).contains("pid " + ProcessHandle.current().pid()), result::describe);
        assertEquals(List.of("stop app.service", "start app.service"), systemctlCalls(), result::describe);
        assertEquals(bytes, sha256(db), "the database file changed although the rollback was refused");
        assertEquals(old, rowsDigest(db, ALL_ROWS));
        assertEquals("ok", integrityCheck(db));
        // the writer is found before anything is written: no emergency backup, no leftover of any kind
        List<String> left = fileNames(dir.resolve("backups")).stream().filter(name -> name.contains("_emergency") || name.startsWith(".")).toList();
        assertEquals(List.of(), left, "nothing is written when the rollback is refused");
    }

    @Test
    @Timeout(60)
    void withoutSystemctlOnThePathServiceIsRefusedWithExit2BeforeAnythingChanges() throws Exception {
        Path db = smallDatabaseWithABackup();
        // a PATH with only what the launcher needs (wrappers rather than symlinks, which @TempDir warns about): no systemctl
        Path bin = Files.createDirectory(dir.resolve("bare-bin"));
        wrapper(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        for (String tool : List.of("dirname", "readlink")) {
            wrapper(bin.resolve(tool), onPath(tool));
        }
        Map<String, String> before = snapshot(dir);

        CrystalDb.Result result = run(dir, Map.of("PATH", bin.toString()), "--db", db.toString(), "rollback", "--latest",
                "--yes", "--service", "app.service");

        assertEquals(2, result.exitCode(), result::describe);
        CrystalDb.assertOneCleanErrorLine(result);
        assertTrue(result.errorLines().get(0).contains("systemctl"), result::describe);
        assertUntouched(before, dir);
        assertEquals(5, CrystalDb.count(db, "t"));
    }

    private static void wrapper(Path script, Path target) throws IOException {
        Files.writeString(script, "#!/bin/sh\nexec '" + target + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The executable name on this JVM's PATH. */
    private static Path onPath(String name) {
        for (String directory : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new UncheckedIOException(new IOException(name + " is not on the PATH"));
    }
}
