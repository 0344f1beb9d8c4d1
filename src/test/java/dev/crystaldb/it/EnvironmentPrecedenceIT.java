package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CRYSTAL_DB* environment variables are defaults; command-line flags, before or after the command, win. */
class EnvironmentPrecedenceIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void crystalDbSelectsTheDatabaseAndDbOnTheCommandLineWinsOverIt() {
        migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Path fromEnv = dir.resolve("from-env.db");
        Path fromFlag = dir.resolve("from-flag.db");
        Map<String, String> env = Map.of("CRYSTAL_DB", fromEnv.toString());

        // no --db: the environment names the database
        ok(run(dir, env, "--migrations", "m", "upgrade", "--create", "-y"));
        assertEquals(List.of("1"), appliedVersions(fromEnv));
        assertFalse(Files.exists(fromFlag));
        String envBytes = sha256(fromEnv);

        // --db after the command wins over CRYSTAL_DB
        ok(run(dir, env, "--migrations", "m", "upgrade", "--create", "-y", "--db", fromFlag.toString()));
        assertEquals(List.of("1"), appliedVersions(fromFlag));
        assertEquals(envBytes, sha256(fromEnv), "the CRYSTAL_DB database was touched although --db named another");

        // --db before the command wins too: stamping base changes only the --db file
        ok(run(dir, env, "--db", fromFlag.toString(), "--migrations", "m", "stamp", "base", "--force")); // its tables are not base's
        assertEquals(List.of(), appliedVersions(fromFlag));
        assertEquals(List.of("1"), appliedVersions(fromEnv));
        assertEquals(envBytes, sha256(fromEnv));

        // the environment's database is the one read by status when no flag is given
        CrystalDb.Result status = ok(run(dir, env, "--migrations", "m", "status", "--json"));
        assertTrue(status.stdout().contains("\"database\": \"" + fromEnv + "\""), status::describe);
        assertTrue(status.stdout().contains("\"current_version\": \"1\""), status::describe);
    }

    @Test
    @Timeout(120)
    void crystalDbBackupDirIsUsedByBackupUnlessBackupDirIsGiven() throws IOException {
        migrations(dir.resolve("m"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        Path db = dir.resolve("app.db");
        ok(run(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--create", "-y"));
        Path envBackups = dir.resolve("env-backups");
        Path flagBackups = dir.resolve("flag-backups");
        Map<String, String> env = Map.of("CRYSTAL_DB", db.toString(), "CRYSTAL_DB_BACKUP_DIR", envBackups.toString());

        CrystalDb.Result first = ok(run(dir, env, "--migrations", "m", "backup"));
        List<Path> inEnvDir = backupsIn(envBackups);
        assertEquals(1, inEnvDir.size(), first::describe);
        assertTrue(first.stdout().contains(inEnvDir.get(0).toString()), first::describe);
        assertFalse(Files.exists(dir.resolve("backups")), "the default backups/ beside the database was used");
        assertEquals(List.of("1"), appliedVersions(inEnvDir.get(0)), "the backup is a readable copy at version 1");

        CrystalDb.Result second = ok(run(dir, env, "--migrations", "m", "backup", "--backup-dir", flagBackups.toString()));
        List<Path> inFlagDir = backupsIn(flagBackups);
        assertEquals(1, inFlagDir.size(), second::describe);
        assertEquals(inEnvDir, backupsIn(envBackups), "--backup-dir was given but CRYSTAL_DB_BACKUP_DIR got a backup");
        assertEquals(List.of("1"), appliedVersions(inFlagDir.get(0)));
    }

    @Test
    @Timeout(120)
    void crystalDbMigrationsAndLockTimeoutAreOverriddenByTheirFlags() {
        migrations(dir.resolve("short"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n");
        migrations(dir.resolve("long"), "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\n",
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);\n", "U2__two.sql", "DROP TABLE two;\n");
        Path db = dir.resolve("app.db");
        Map<String, String> env = Map.of("CRYSTAL_DB", db.toString(), "CRYSTAL_DB_MIGRATIONS", dir.resolve("short").toString());

        ok(run(dir, env, "upgrade", "--create", "-y"));
        assertEquals(List.of("1"), appliedVersions(db), "CRYSTAL_DB_MIGRATIONS selects the set");

        ok(run(dir, env, "upgrade", "-y", "--migrations", "long"));
        assertEquals(List.of("1", "2"), appliedVersions(db), "--migrations wins over CRYSTAL_DB_MIGRATIONS");

        // an unusable CRYSTAL_DB_LOCK_TIMEOUT is reported as such, and --lock-timeout replaces it
        Map<String, String> badTimeout = Map.of("CRYSTAL_DB", db.toString(), "CRYSTAL_DB_MIGRATIONS", dir.resolve("long").toString(),
                "CRYSTAL_DB_LOCK_TIMEOUT", "-5");
        String bytes = sha256(db);
        CrystalDb.Result refused = run(dir, badTimeout, "downgrade", "-1", "-y");
        assertEquals(2, refused.exitCode(), refused::describe);
        assertOneCleanErrorLine(refused);
        assertTrue(refused.stderr().contains("-5"), refused::describe);
        assertEquals(bytes, sha256(db));

        ok(run(dir, badTimeout, "downgrade", "1", "-y", "--lock-timeout", "5"));
        assertEquals(List.of("1"), appliedVersions(db));
    }

    private static CrystalDb.Result ok(CrystalDb.Result result) {
        assertEquals(0, result.exitCode(), result::describe);
        return result;
    }

    private static List<Path> backupsIn(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".db")).sorted().toList();
        }
    }
}
