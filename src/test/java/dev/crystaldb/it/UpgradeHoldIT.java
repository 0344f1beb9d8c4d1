package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneErrorLine;
import static dev.crystaldb.it.CrystalDb.assertUntouched;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.scalar;
import static dev.crystaldb.it.CrystalDb.snapshot;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rollback (or downgrade) sticks: the next start of the service, which runs the shipped unit's
 * ExecStartPre= upgrade, refuses to apply the versions it took back (exit 3, nothing changed) until
 * `upgrade --release-hold` or a release that changes them; status and history show the hold.
 */
class UpgradeHoldIT {
    private static final String HOLD_TABLE = "crystal_db_upgrade_hold";
    private static final Path BUNDLED = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("migrations");

    @TempDir
    Path dir;

    /** The app unit's ExecStartPre= line, as systemd runs it at every start (CRYSTAL_DB set by the unit). */
    private CrystalDb.Result serviceStart(Path db, Map<String, String> extraEnv) throws IOException {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("CRYSTAL_DB", db.toString());
        return run(dir, env, SystemdUnitsIT.commandOf(SystemdUnitsIT.read("crystalbudget.service"), "ExecStartPre"));
    }

    /** At 3, then a deploy's start applies 4 and 5 with a pre-upgrade backup, then the app writes; then the rollback. */
    private Path deployedAndRolledBack() throws Exception {
        Path db = dir.resolve("budget.db");
        ok(dir, "--db", db.toString(), "upgrade", "3", "--create", "--yes");
        CrystalDb.Result deploy = serviceStart(db, Map.of());
        assertEquals(0, deploy.exitCode(), deploy::describe);
        assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db));
        CrystalDb.Result rollback = ok(dir, "--db", db.toString(), "rollback", "--before-upgrade", "--yes");
        assertEquals(List.of("1", "2", "3"), appliedVersions(db), rollback::describe);
        assertTrue(rollback.stdout().contains("upgrade hold recorded") && rollback.stdout().contains("4, 5"), rollback::describe);
        assertEquals("2", scalar(db, "SELECT count(*) FROM " + HOLD_TABLE), "the rollback held 4 and 5");
        return db;
    }

    @Test
    @Timeout(180)
    void theNextServiceStartAfterARollbackRefusesToApplyTheHeldVersionsAgain() throws Exception {
        Path db = deployedAndRolledBack();
        Map<String, String> before = snapshot(dir);

        for (int restart = 0; restart < 2; restart++) { // Restart=on-failure tries again: the same refusal, nothing changes
            CrystalDb.Result start = serviceStart(db, Map.of());
            assertEquals(3, start.exitCode(), start::describe);
            assertOneErrorLine(start);
            String error = start.errorLines().get(0);
            assertTrue(error.contains("rollback to ") && error.contains("4, 5") && error.contains("--release-hold"), error);
            assertEquals(List.of("1", "2", "3"), appliedVersions(db), "a held upgrade applied something");
            assertUntouched(before, dir);
        }

        CrystalDb.Result status = ok(dir, "--db", db.toString(), "status");
        assertTrue(status.stdout().contains("upgrade hold") && status.stdout().contains("versions 4, 5"), status::describe);
        CrystalDb.Result json = ok(dir, "--db", db.toString(), "--json", "status");
        String compact = json.stdout().replaceAll("\\s", "");
        assertTrue(compact.contains("\"hold\":{") && compact.contains("\"versions\":[\"4\",\"5\"]"), json::describe);
        CrystalDb.Result history = ok(dir, "--db", db.toString(), "history");
        assertEquals(2, history.stdout().lines().filter(line -> line.contains("pending, held")).count(), history::describe);
        CrystalDb.Result dryRun = ok(dir, "--db", db.toString(), "upgrade", "--dry-run");
        assertTrue(dryRun.stderr().contains("held"), dryRun::describe);

        CrystalDb.Result release = ok(dir, "--db", db.toString(), "upgrade", "--release-hold", "--yes");
        assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db), release::describe);
        assertFalse(tableExists(db, HOLD_TABLE), "the released hold is still recorded");
        CrystalDb.Result nextStart = serviceStart(db, Map.of());
        assertEquals(0, nextStart.exitCode(), nextStart::describe);
    }

    @Test
    @Timeout(180)
    void aReleaseThatChangesAHeldVersionReleasesTheHoldAndOneThatOnlyEditsCommentsDoesNot() throws Exception {
        Path db = deployedAndRolledBack();
        Path release = copyOfBundledSet("fixed");
        Path v5 = release.resolve("V5__add_shared_budget_to_users.sql");
        Files.writeString(v5, "-- reviewed after the rollback\n" + Files.readString(v5, StandardCharsets.UTF_8), StandardCharsets.UTF_8);

        CrystalDb.Result sameStatements = serviceStart(db, Map.of("CRYSTAL_DB_MIGRATIONS", release.toString()));
        assertEquals(3, sameStatements.exitCode(), "a comment is not a fix:\n" + sameStatements.describe());
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));

        Files.writeString(v5, Files.readString(v5, StandardCharsets.UTF_8) + "\nCREATE TABLE fixed_in_release (id INTEGER PRIMARY KEY);\n",
                StandardCharsets.UTF_8);
        CrystalDb.Result fixed = serviceStart(db, Map.of("CRYSTAL_DB_MIGRATIONS", release.toString()));
        assertEquals(0, fixed.exitCode(), fixed::describe);
        assertTrue(fixed.stderr().contains("releasing the upgrade hold") && fixed.stderr().contains("changes 5"), fixed::describe);
        assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db));
        assertTrue(tableExists(db, "fixed_in_release"), "the fixed V5 did not run");
        assertFalse(tableExists(db, HOLD_TABLE));
    }

    @Test
    @Timeout(180)
    void thePreviousReleaseStartsAndTheHoldStaysForTheBadOne() throws Exception {
        Path db = deployedAndRolledBack();
        Path previous = copyOfBundledSet("previous");
        for (String name : List.of("V4__shared_budget_support.sql", "U4__shared_budget_support.sql", "V5__add_shared_budget_to_users.sql",
                "U5__add_shared_budget_to_users.sql")) {
            Files.delete(previous.resolve(name));
        }
        CrystalDb.Result oldStart = serviceStart(db, Map.of("CRYSTAL_DB_MIGRATIONS", previous.toString()));
        assertEquals(0, oldStart.exitCode(), oldStart::describe);
        assertEquals("2", scalar(db, "SELECT count(*) FROM " + HOLD_TABLE), "the previous release's no-op start dropped the hold");

        CrystalDb.Result badAgain = serviceStart(db, Map.of()); // the bad release deployed again by mistake
        assertEquals(3, badAgain.exitCode(), badAgain::describe);
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));
    }

    @Test
    @Timeout(180)
    void aDowngradeHoldsTooAndReleaseHoldWorksWithNothingToApply() throws Exception {
        Path db = dir.resolve("budget.db");
        ok(dir, "--db", db.toString(), "upgrade", "--create", "--yes");
        CrystalDb.Result downgrade = ok(dir, "--db", db.toString(), "downgrade", "4", "--yes");
        assertTrue(downgrade.stdout().contains("upgrade hold recorded"), downgrade::describe);
        assertEquals(List.of("1", "2", "3", "4"), appliedVersions(db));

        CrystalDb.Result start = serviceStart(db, Map.of());
        assertEquals(3, start.exitCode(), start::describe);
        assertTrue(start.errorLines().get(0).contains("downgrade to 4"), start::describe);

        CrystalDb.Result upToFour = ok(dir, "--db", db.toString(), "upgrade", "4", "--release-hold", "--yes");
        assertTrue(upToFour.stdout().contains("upgrade hold released"), upToFour::describe);
        assertFalse(tableExists(db, HOLD_TABLE), "--release-hold with nothing to apply left the hold");
        CrystalDb.Result next = serviceStart(db, Map.of());
        assertEquals(0, next.exitCode(), next::describe);
        assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db));
    }

    @Test
    @Timeout(60)
    void aRollbackToABackupAtTheSameVersionHoldsNothingAndReleaseHoldWithoutAHoldChangesNothing() throws Exception {
        Path db = dir.resolve("budget.db");
        ok(dir, "--db", db.toString(), "upgrade", "--create", "--yes");
        ok(dir, "--db", db.toString(), "backup");
        CrystalDb.Result rollback = ok(dir, "--db", db.toString(), "rollback", "--latest", "--yes");
        assertFalse(rollback.stdout().contains("hold"), rollback::describe);
        assertFalse(tableExists(db, HOLD_TABLE));
        Map<String, String> before = snapshot(dir);
        CrystalDb.Result release = ok(dir, "--db", db.toString(), "upgrade", "--release-hold");
        assertTrue(release.stderr().contains("no upgrade hold to release"), release::describe);
        assertUntouched(before, dir);
    }

    /**
     * Root and the app's user alternating, as on a server: the app's unit (User=) upgrades at its
     * start, root rolls back, the unit's next start refuses as the app's user, who can release it.
     */
    @Test
    @Timeout(180)
    void theHoldStandsWhenRootRollsBackAndTheAppsUserStartsTheService() throws Exception {
        AppUser user = AppUser.create();
        int appUid = user.uid();
        UserPrincipal appUser = user.principal();
        Path base = Files.createTempDirectory(Path.of("/tmp"), "crystal-hold-");
        try {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path app = Files.createDirectory(base.resolve("app"));
            Files.setOwner(app, appUser);
            Path db = app.resolve("budget.db");
            List<String> asApp = List.of("setpriv", "--reuid=" + appUid, "--regid=" + appUid, "--clear-groups", "--");
            String[] execStartPre = SystemdUnitsIT.commandOf(SystemdUnitsIT.read("crystalbudget.service"), "ExecStartPre");
            Map<String, String> unitEnv = Map.of("CRYSTAL_DB", db.toString(), "HOME", base.toString());

            assertEquals(0, as(asApp, base, unitEnv, "upgrade", "3", "--create", "--yes").exitCode());
            CrystalDb.Result deploy = as(asApp, base, unitEnv, execStartPre);
            assertEquals(0, deploy.exitCode(), deploy::describe);
            CrystalDb.Result rollback = as(List.of(), base, unitEnv, "rollback", "--before-upgrade", "--yes");
            assertEquals(0, rollback.exitCode(), rollback::describe);
            assertEquals(appUid, (int) (Integer) Files.getAttribute(db, "unix:uid"), "the restored database is not the app's");

            CrystalDb.Result start = as(asApp, base, unitEnv, execStartPre);
            assertEquals(3, start.exitCode(), start::describe);
            assertEquals(List.of("1", "2", "3"), appliedVersions(db));
            CrystalDb.Result release = as(asApp, base, unitEnv, "upgrade", "--release-hold", "--yes");
            assertEquals(0, release.exitCode(), release::describe);
            assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db));
            try (Stream<Path> files = Files.list(app)) {
                for (Path file : files.toList()) {
                    assertEquals(appUid, (int) (Integer) Files.getAttribute(file, "unix:uid"), "not the app's: " + file);
                }
            }
        } finally {
            new ProcessBuilder("rm", "-rf", base.toString()).start().waitFor();
        }
    }

    private static CrystalDb.Result as(List<String> prefix, Path workDir, Map<String, String> env, String... args) {
        try (CrystalDb.Run run = CrystalDb.start(prefix, workDir, env, args)) {
            return run.await();
        }
    }

    private Path copyOfBundledSet(String name) throws IOException {
        Path copy = Files.createDirectory(dir.resolve(name));
        try (Stream<Path> files = Files.list(BUNDLED)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }
}
