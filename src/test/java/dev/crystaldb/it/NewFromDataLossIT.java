package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.assertUntouched;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.query;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `new --from SCHEMA` never writes a migration that loses data without being told: a dropped
 * column (or table) stops it before any file is written, asking for --rename where a name added
 * beside it looks like the rename, or --allow-data-loss; a --rename after an earlier run wrote the
 * drop names the files to delete.
 */
class NewFromDataLossIT {
    @TempDir
    Path dir;

    private Path m;
    private Path production;

    private void projectWithNicknames() throws Exception {
        m = migrations(dir.resolve("migrations"),
                "V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT);\n",
                "U1__users.sql", "DROP TABLE users;\n");
        production = dir.resolve("prod.db");
        ok(dir, "--db", production.toString(), "--migrations", "migrations", "upgrade", "--create", "-q");
        try (var connection = CrystalDb.connect(production); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO users (id, email, nick) VALUES (1, 'a@example.org', 'anna'), (2, 'b@example.org', 'bo')");
        }
        Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT);\n",
                StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(180)
    void aLikelyRenameStopsBeforeAnythingIsWrittenAndARerunNamesTheFilesAnEarlierRunWrote() throws Exception {
        projectWithNicknames();
        Map<String, String> before = snapshot(m);
        CrystalDb.Result refused = run(dir, "--migrations", "migrations", "new", "nickname", "--from", "schema.sql");
        assertEquals(2, refused.exitCode(), refused::describe);
        assertOneCleanErrorLine(refused);
        assertEquals("crystal-db: V2__nickname.sql would drop column users.nick and its values (users.nickname, added beside it, looks like it renamed); "
                + "nothing was written: run again with --rename users.nick=nickname to keep the data, or with --allow-data-loss to drop it",
                refused.stderrLines().get(0));
        assertUntouched(before, m);

        // told that the values may go, it writes the drop plus the add, and says what is lost
        CrystalDb.Result lossy = ok(dir, "--migrations", "migrations", "new", "nickname", "--from", "schema.sql", "--allow-data-loss");
        assertTrue(lossy.stdout().contains("the rows are kept but for the data of column users.nick (dropped: --allow-data-loss)"), lossy::describe);
        assertEquals(List.of("U1__users.sql", "U2__nickname.sql", "V1__users.sql", "V2__nickname.sql"), fileNames(m));

        // the operator sees it was a rename after all: the earlier run's files are named, nothing changes
        Map<String, String> written = snapshot(m);
        CrystalDb.Result again = run(dir, "--migrations", "migrations", "new", "nickname", "--from", "schema.sql", "--rename", "users.nick=nickname");
        assertEquals(2, again.exitCode(), again::describe);
        assertOneCleanErrorLine(again);
        assertEquals("crystal-db: --rename users.nick=nickname: V2__nickname.sql, the newest migration (written by an earlier run of new --from), "
                + "already drops column users.nick; nothing was written: if no database has applied version 2 yet, delete "
                + Path.of("migrations", "V2__nickname.sql") + " and " + Path.of("migrations", "U2__nickname.sql") + " and run again",
                again.stderrLines().get(0));
        assertUntouched(written, m);

        Files.delete(m.resolve("V2__nickname.sql"));
        Files.delete(m.resolve("U2__nickname.sql"));
        CrystalDb.Result renamed = ok(dir, "--migrations", "migrations", "new", "nickname", "--from", "schema.sql", "--rename", "users.nick=nickname");
        assertTrue(renamed.stdout().endsWith("and the rows are kept\n"), renamed::describe);
        ok(dir, "--db", production.toString(), "--migrations", "migrations", "upgrade", "-q");
        assertEquals(List.of("1|anna", "2|bo"), query(production, "SELECT id || '|' || nickname FROM users ORDER BY id"), "the values went with the rename");
    }

    @Test
    @Timeout(180)
    void aPlainDropNeedsAllowDataLossToo() throws Exception {
        projectWithNicknames();
        Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n", StandardCharsets.UTF_8);
        Map<String, String> before = snapshot(m);
        CrystalDb.Result refused = run(dir, "--migrations", "migrations", "new", "no nick", "--from", "schema.sql");
        assertEquals(2, refused.exitCode(), refused::describe);
        assertOneCleanErrorLine(refused);
        assertTrue(refused.stderr().startsWith("crystal-db: V2__no_nick.sql would drop column users.nick and its values; nothing was written: "
                + "run again with --allow-data-loss to drop it"), refused::describe);
        assertUntouched(before, m);

        ok(dir, "--migrations", "migrations", "new", "no nick", "--from", "schema.sql", "--allow-data-loss");
        ok(dir, "--db", production.toString(), "--migrations", "migrations", "upgrade", "-q");
        assertEquals(List.of("1|a@example.org", "2|b@example.org"), query(production, "SELECT id || '|' || email FROM users ORDER BY id"));
    }
}
