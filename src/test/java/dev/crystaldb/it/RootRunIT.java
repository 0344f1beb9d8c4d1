package dev.crystaldb.it;

import dev.crystaldb.support.Safety;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.connect;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.sha256;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A root run in a directory the app's user controls cannot be turned against the server (issue
 * 12, items 5 to 9 and the read-only file of 13). Each case is planted the way that user could:
 * symlinks and files they own in the database's directory; then crystal-db runs as root, and the
 * victim file's bytes, mode and owner are checked. Needs root and useradd (CI runs as root); skipped
 * with its reason otherwise.
 */
class RootRunIT {
    private static UserPrincipal appUser;
    private static int appUid;

    private Path base;
    private Path app;
    private Path db;
    private Path victim;

    @BeforeAll
    static void createTheAppsUser() throws Exception {
        AppUser user = AppUser.create();
        appUser = user.principal();
        appUid = user.uid();
    }

    @BeforeEach
    void anAppDirectoryTheAppsUserOwns() throws Exception {
        // root's, in /tmp (sticky): only root can rename it, as only root can rename /var/lib above an app's directory
        base = Files.createTempDirectory(Path.of("/tmp"), "crystal-rootrun-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        app = Files.createDirectory(base.resolve("app"));
        Files.setPosixFilePermissions(app, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setOwner(app, appUser);
        victim = Files.writeString(base.resolve("victim"), "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        db = app.resolve("budget.db");
        asApp("--db", db.toString(), "upgrade", "3", "--create", "--yes");
        assertEquals(appUid, uid(db), "the app's user made the database");
    }

    @AfterEach
    void removeIt() throws IOException {
        if (base != null) {
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    // ------------------------------------------------------------ item 5: the lock file

    @Test
    @Timeout(120)
    void aSymlinkAtTheLockFileIsNeitherFollowedNorTruncated() throws Exception {
        Path lock = Path.of(db + ".crystal-db.lock");
        Files.deleteIfExists(lock);
        plantLink(lock, victim);
        String dbBefore = sha256(db);

        CrystalDb.Result result = asRoot("--db", db.toString(), "upgrade", "--yes");
        assertEquals(2, result.exitCode(), result::describe);
        assertOneCleanErrorLine(result);
        assertTrue(result.errorLines().get(0).contains("lock file " + lock + " is not a regular file (a symlink)"), result::describe);
        assertVictimUntouched();
        assertEquals(dbBefore, sha256(db));

        // a dangling link must not make root create the file it points at
        Files.delete(lock);
        Path wouldBeCreated = base.resolve("made-by-root");
        plantLink(lock, wouldBeCreated);
        assertEquals(2, asRoot("--db", db.toString(), "upgrade", "--yes").exitCode());
        assertFalse(Files.exists(wouldBeCreated, LinkOption.NOFOLLOW_LINKS), "root created the file a dangling lock link points at");
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));
    }

    // ------------------------------------------------------------ item 6: leftovers in backups/

    @Test
    @Timeout(120)
    void symlinksAtLeftoverNamesInTheBackupDirectoryAreNeitherChmodedNorPublished() throws Exception {
        Path backups = asAppMkdir(app.resolve("backups"));
        Path victimDirectory = Files.createDirectory(base.resolve("victim-dir"));
        Path inside = Files.writeString(victimDirectory.resolve("keep.db"), "keep me");
        plantLink(backups.resolve(".budget_999999_1.db.pending-emergency"), victim);
        plantLink(backups.resolve(".budget_999999_2.db.partial"), victim);
        plantLink(backups.resolve(".crystal-db-999999-1.tmp"), victimDirectory);

        CrystalDb.Result result = asRoot("--db", db.toString(), "backup");
        assertEquals(0, result.exitCode(), result::describe);
        assertVictimUntouched();
        assertEquals("keep me", Files.readString(inside));
        for (String name : fileNames(backups)) {
            Path file = backups.resolve(name);
            if (!name.startsWith(".")) {
                assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS), name + " is published but is no regular file");
                assertEquals(appUid, uid(file), name + " belongs to the database's owner");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
                assertTrue(tableExists(file, "users"), name + " holds the database");
            }
        }
    }

    // ------------------------------------------------------------ item 7: what looks like a backup

    @Test
    @Timeout(120)
    void aSymlinkOrAnotherUsersFileNamedLikeABackupIsNeverListedOrRestored() throws Exception {
        assertEquals(0, asRoot("--db", db.toString(), "backup").exitCode());
        Path backups = app.resolve("backups");
        Path secret = base.resolve("secret.db");
        try (Connection connection = CrystalDb.create(secret); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE secret (password TEXT)");
            statement.execute("INSERT INTO secret VALUES ('root only')");
        }
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        plantLink(backups.resolve("budget_20991231_235959.db"), secret);
        Path foreign = Files.copy(secret, backups.resolve("budget_20991231_235958.db"));
        Files.setOwner(foreign, FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        CrystalDb.Result list = asRoot("--db", db.toString(), "backups");
        assertEquals(0, list.exitCode(), list::describe);
        assertFalse(list.stdout().contains("budget_2099"), list::describe);
        assertTrue(list.stderr().contains("ignored budget_20991231_235959.db: not a regular file (a symlink)"), list::describe);
        assertTrue(list.stderr().contains("ignored budget_20991231_235958.db: belongs to uid 65534"), list::describe);

        for (String planted : List.of("budget_20991231_235959.db", "budget_20991231_235958.db")) {
            CrystalDb.Result byName = asRoot("--db", db.toString(), "rollback", planted, "--yes");
            assertEquals(2, byName.exitCode(), byName::describe);
            assertOneCleanErrorLine(byName);
        }
        CrystalDb.Result latest = asRoot("--db", db.toString(), "rollback", "--latest", "--yes");
        assertEquals(0, latest.exitCode(), latest::describe);
        assertFalse(tableExists(db, "secret"), "root-only data was restored into the app's database");
        assertTrue(tableExists(db, "users"));
        assertEquals(appUid, uid(db), "the restored database belongs to the app's user");
    }

    // ------------------------------------------------------------ item 8: directories and --db that are links

    @Test
    @Timeout(120)
    void aBackupDirectoryThatIsAnotherUsersSymlinkIsRefusedAndNothingElsewhereIsWrittenOrPruned() throws Exception {
        Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
        Path theirs = Files.writeString(elsewhere.resolve("budget_20200101_000000.db"), "another directory's file");
        plantLink(app.resolve("backups"), elsewhere);

        CrystalDb.Result byDefault = asRoot("--db", db.toString(), "backup", "--keep", "1");
        assertEquals(2, byDefault.exitCode(), byDefault::describe);
        assertOneCleanErrorLine(byDefault);
        assertTrue(byDefault.errorLines().get(0).contains(app.resolve("backups") + " is a symlink owned by uid " + appUid), byDefault::describe);
        CrystalDb.Result given = asRoot("--db", db.toString(), "--backup-dir", app.resolve("backups").toString(), "upgrade", "--yes");
        assertEquals(2, given.exitCode(), given::describe);
        assertEquals(List.of("budget_20200101_000000.db"), fileNames(elsewhere));
        assertEquals("another directory's file", Files.readString(theirs));
        assertEquals(List.of("1", "2", "3"), appliedVersions(db), "the upgrade ran without its backup");

        // an administrator's own link (root's) is followed as usual, and what lands there is the app's
        Files.delete(app.resolve("backups"));
        Path big = Files.createDirectory(base.resolve("big-disk"));
        Files.createSymbolicLink(app.resolve("backups"), big);
        assertEquals(0, asRoot("--db", db.toString(), "backup").exitCode());
        List<String> landed = fileNames(big);
        assertEquals(1, landed.size(), landed.toString());
        assertEquals(appUid, uid(big.resolve(landed.get(0))));
    }

    @Test
    @Timeout(120)
    void aDatabaseSymlinkOfAnotherUserIsRefusedAndRootsOwnIsFollowedToTheRealFile() throws Exception {
        Path link = app.resolve("link.db");
        plantLink(link, db);
        String before = sha256(db);
        for (String[] command : List.of(new String[]{"upgrade", "--yes"}, new String[]{"backup"}, new String[]{"rollback", "--latest", "--yes"})) {
            CrystalDb.Result result = asRoot(concat(new String[]{"--db", link.toString()}, command));
            assertEquals(2, result.exitCode(), result::describe);
            assertOneCleanErrorLine(result);
            assertTrue(result.errorLines().get(0).contains(link + " is a symlink owned by uid " + appUid), result::describe);
        }
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(before, sha256(db));

        Path rootLink = Files.createSymbolicLink(base.resolve("root-link.db"), db);
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-rw----"));
        assertEquals(0, asRoot("--db", rootLink.toString(), "backup").exitCode());
        CrystalDb.Result rollback = asRoot("--db", rootLink.toString(), "rollback", "--latest", "--yes");
        assertEquals(0, rollback.exitCode(), rollback::describe);
        assertTrue(Files.isSymbolicLink(rootLink), "the link was replaced by a regular file");
        assertTrue(Files.isRegularFile(db, LinkOption.NOFOLLOW_LINKS));
        assertEquals(appUid, uid(db));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)), "the database kept its mode");
        Path emergency = app.resolve("backups").resolve(fileNames(app.resolve("backups")).stream()
                .filter(n -> n.contains("_emergency")).findFirst().orElseThrow());
        assertTrue(Files.isRegularFile(emergency, LinkOption.NOFOLLOW_LINKS), "the emergency backup is a file of its own");
        assertFalse(Files.isSameFile(emergency, db), "the emergency backup is not a second name of the live file");
    }

    // ------------------------------------------------------------ item 9: ownership

    @Test
    @Timeout(180)
    void whatARootRunCreatesBelongsToTheDatabaseOwnerWhoCanCarryOn() throws Exception {
        Files.deleteIfExists(Path.of(db + ".crystal-db.lock"));
        CrystalDb.Result upgrade = asRoot("--db", db.toString(), "upgrade", "--yes");
        assertEquals(0, upgrade.exitCode(), upgrade::describe);
        Path backups = app.resolve("backups");
        assertEquals(appUid, uid(Path.of(db + ".crystal-db.lock")), "lock file");
        assertEquals(appUid, uid(backups), "backup directory");
        for (String name : fileNames(backups)) {
            assertEquals(appUid, uid(backups.resolve(name)), name);
        }
        assertEquals(appUid, uid(db), "the database");

        // the shipped unit's ExecStartPre, and the cron backup, run as the app's user afterwards
        assertEquals(0, asApp("--db", db.toString(), "upgrade", "--yes").exitCode());
        assertEquals(0, asApp("--db", db.toString(), "backup").exitCode());
        assertEquals(0, asApp("--db", db.toString(), "downgrade", "-1", "--yes").exitCode());
        assertEquals(List.of("1", "2", "3", "4"), appliedVersions(db));

        // a database root creates belongs to the directory's owner too
        Path fresh = app.resolve("fresh.db");
        assertEquals(0, asRoot("--db", fresh.toString(), "upgrade", "--create", "--yes").exitCode());
        assertEquals(appUid, uid(fresh));
        assertEquals(0, asApp("--db", fresh.toString(), "downgrade", "base", "--yes").exitCode());

        // a database that is gone, restored by root, is the app's again (not root's 0600 staging copy)
        Files.delete(db);
        CrystalDb.Result restore = asRoot("--db", db.toString(), "rollback", "--latest", "--yes");
        assertEquals(0, restore.exitCode(), restore::describe);
        assertEquals(appUid, uid(db), "the restored database");
        assertEquals(0, asApp("--db", db.toString(), "upgrade", "--yes").exitCode(), "the app's user carries on after the restore");
    }

    // ------------------------------------------------------------ item 13: a database made read-only

    @Test
    @Timeout(120)
    void aDatabaseItsOwnerMadeReadOnlyIsChangedByNobodyAndNoBackupIsWritten() throws Exception {
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("r--r--r--"));
        String before = sha256(db);
        for (CrystalDb.Result result : List.of(asRoot("--db", db.toString(), "upgrade", "--yes"), asApp("--db", db.toString(), "upgrade", "--yes"))) {
            assertEquals(2, result.exitCode(), result::describe);
            assertOneCleanErrorLine(result);
            assertTrue(result.errorLines().get(0).contains("is read-only (mode r--r--r--)"), result::describe);
        }
        assertEquals(before, sha256(db));
        assertEquals(List.of(), fileNames(app.resolve("backups")), "a backup was written for a change that cannot happen");
    }

    // ------------------------------------------------------------ review: SQLite's own opens by path

    /**
     * SQLite opens its files by path and re-walks the path at each open (the backup's copy, its
     * journal, a check of a copy). Under a directory the app's user can rename, they could swap in
     * a symlink mid-copy and have root's SQLite create or overwrite a file of their choosing. So a
     * root run has SQLite create nothing by path there but the database's own files: its scratch
     * work happens in the nearest directory above that only root can change. Seen through strace.
     */
    @Test
    @Timeout(300)
    void aRootRunHasSqliteCreateNoFileByPathUnderADirectoryTheAppsUserCanRename() throws Exception {
        Safety.assume(new java.io.File("/usr/bin/strace").canExecute(), "needs strace (.ci/run installs it)");
        Process probe = new ProcessBuilder("strace", "-f", "-qq", "-o", "/dev/null", "true").redirectErrorStream(true).start();
        String probed = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Safety.assume(probe.waitFor() == 0, "strace cannot trace here (ptrace refused): " + probed);
        asApp("--db", db.toString(), "backup"); // something for rollback --latest
        Pattern createdByPath = Pattern.compile("open(?:at)?\\((?:AT_FDCWD, )?\"([^\"]+)\", ([A-Z_|]+)");
        Set<String> databaseFiles = Set.of(db.toString(), db + "-journal", db + "-wal", db + "-shm");
        // backups reads the version inside the compressed backup from a decompressed copy; verify only reads
        List<String[]> commands = List.of(new String[] {"backup"}, new String[] {"backup", "--compress"}, new String[] {"backups"},
                new String[] {"verify"}, new String[] {"rehearse"}, new String[] {"upgrade", "--yes"},
                new String[] {"rollback", "--latest", "--yes"});
        boolean scratchAbove = false;
        for (String[] command : commands) {
            Path trace = base.resolve("strace-" + String.join("", command).replace("-", "") + ".log");
            String[] args = new String[command.length + 2];
            args[0] = "--db";
            args[1] = db.toString();
            System.arraycopy(command, 0, args, 2, command.length);
            CrystalDb.Result result;
            try (CrystalDb.Run run = CrystalDb.start(List.of("strace", "-f", "-qq", "-e", "trace=open,openat,creat", "-o", trace.toString()),
                    base, Map.of(), args)) {
                result = run.await();
            }
            assertEquals(0, result.exitCode(), result::describe);
            for (String line : Files.readAllLines(trace)) {
                Matcher open = createdByPath.matcher(line);
                if (!open.find() || !open.group(2).contains("O_CREAT")) {
                    continue;
                }
                String file = open.group(1);
                assertFalse(file.startsWith(app + "/") && !databaseFiles.contains(file),
                        String.join(" ", command) + ": created by path under the app's directory: " + line);
                scratchAbove |= file.startsWith(base + "/.crystal-db-");
            }
        }
        assertTrue(scratchAbove, "no scratch work was seen in " + base);
        assertEquals(List.of("1", "2", "3"), appliedVersions(db), "rollback --latest restored the backup taken at version 3");
        try (Stream<Path> left = Files.list(base)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(), "scratch left behind");
        }
    }

    // ------------------------------------------------------------ helpers

    private CrystalDb.Result asRoot(String... args) {
        return CrystalDb.run(base, args);
    }

    private CrystalDb.Result asApp(String... args) {
        try (CrystalDb.Run run = CrystalDb.start(List.of("setpriv", "--reuid=" + appUid, "--regid=" + appUid, "--clear-groups", "--"),
                base, Map.of("HOME", base.toString()), args)) {
            return run.await();
        }
    }

    /** A directory the app's user made. */
    private Path asAppMkdir(Path directory) throws IOException {
        Files.createDirectory(directory);
        Files.setOwner(directory, appUser);
        return directory;
    }

    /** A symlink the app's user planted (owned by them: lchown). */
    private static void plantLink(Path link, Path target) throws IOException {
        Files.createSymbolicLink(link, target);
        Files.getFileAttributeView(link, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(appUser);
    }

    private void assertVictimUntouched() throws IOException {
        assertEquals("precious\n", Files.readString(victim), "the victim's bytes");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)), "the victim's mode");
        assertEquals(0, uid(victim), "the victim's owner");
    }

    private static int uid(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static String[] concat(String[] first, String[] second) {
        return Stream.concat(Stream.of(first), Stream.of(second)).toArray(String[]::new);
    }
}
