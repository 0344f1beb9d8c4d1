package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.assertUntouched;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.snapshot;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Flyway and Alembic users type: the names that mean the same work as aliases, relative
 * steps (+N, -N) and Alembic revision ids work as targets, and the names that mean something
 * else get what to type instead, with exit 2 and nothing changed.
 */
class FamiliarNamesIT {
    @TempDir
    Path dir;

    private Path db;

    /** Three migrations carrying the Alembic revision ids import-alembic writes into their headers. */
    private void threeMigrationsFromAlembic() {
        migrations(dir.resolve("m"),
                "V1__one.sql", "-- alembic-revision: 1975ea83b712\nCREATE TABLE one (id INTEGER PRIMARY KEY);\nINSERT INTO one (id) VALUES (1);\n",
                "U1__one.sql", "DROP TABLE one;\n",
                "V2__two.sql", "-- alembic-revision: ae1027a6acf0\nCREATE TABLE two (id INTEGER PRIMARY KEY);\n",
                "U2__two.sql", "DROP TABLE two;\n",
                "V3__three.sql", "-- alembic-revision: 27c6a30d7c24\nCREATE TABLE three (id INTEGER PRIMARY KEY);\n",
                "U3__three.sql", "DROP TABLE three;\n");
        db = dir.resolve("app.db");
    }

    private CrystalDb.Result crystalDb(String... args) {
        List<String> all = new ArrayList<>(List.of("--db", db.toString(), "--migrations", "m"));
        all.addAll(List.of(args));
        return run(dir, all.toArray(String[]::new));
    }

    @Test
    @Timeout(120)
    void relativeStepsAndAlembicRevisionIdsAreTargets() {
        threeMigrationsFromAlembic();
        assertEquals(0, crystalDb("upgrade", "+1", "--create").exitCode());
        assertEquals(List.of("1"), appliedVersions(db), "upgrade +1 applies one migration, as Alembic's does");
        assertEquals(0, crystalDb("upgrade", "+2").exitCode());
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));

        CrystalDb.Result back = crystalDb("downgrade", "-1");
        assertEquals(0, back.exitCode(), back::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertFalse(tableExists(db, "three"));

        CrystalDb.Result toRevision = crystalDb("downgrade", "1975ea83b712");
        assertEquals(0, toRevision.exitCode(), toRevision::describe);
        assertEquals(List.of("1"), appliedVersions(db), "the revision id of V1's header: version 1 stays applied");
        assertTrue(tableExists(db, "one"));

        CrystalDb.Result toPrefix = crystalDb("upgrade", "ae10", "--release-hold");
        assertEquals(0, toPrefix.exitCode(), toPrefix::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db), "a unique prefix of a revision id, as Alembic takes it");
    }

    @Test
    @Timeout(120)
    void stepsThatCannotBeTakenAreRefusedAndChangeNothing() {
        threeMigrationsFromAlembic();
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "2", "--create", "-q");
        Map<String, String> before = snapshot(dir);
        for (List<String> args : List.of(List.of("upgrade", "+2"), List.of("upgrade", "-1"), List.of("downgrade", "+1"), List.of("downgrade", "-3"),
                List.of("downgrade", "ffff0000"))) {
            CrystalDb.Result refused = crystalDb(args.toArray(String[]::new));
            assertEquals(2, refused.exitCode(), refused::describe);
            assertOneCleanErrorLine(refused);
        }
        assertEquals("crystal-db: cannot go forward 2 step(s): 1 migration(s) pending; use a number from 1 to 1, a version, or head",
                crystalDb("upgrade", "+2").stderrLines().get(0));
        assertTrue(crystalDb("upgrade", "-1").stderr().contains("use `crystal-db downgrade -1`"));
        assertTrue(crystalDb("downgrade", "+1").stderr().contains("use `crystal-db upgrade +1`"));
        assertUntouched(before, dir);
        assertEquals(List.of("1", "2"), appliedVersions(db));
    }

    @Test
    @Timeout(120)
    void flywaysMigrateAndInfoAreAliasesOfUpgradeAndHistory() {
        threeMigrationsFromAlembic();
        CrystalDb.Result migrate = crystalDb("migrate", "--create");
        assertEquals(0, migrate.exitCode(), migrate::describe);
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));

        CrystalDb.Result info = crystalDb("info");
        assertEquals(0, info.exitCode(), info::describe);
        assertEquals(crystalDb("history").stdout(), info.stdout());
        assertTrue(info.stdout().contains("three"), info::describe);
    }

    @Test
    @Timeout(120)
    void namesThatMeanSomethingElseSayWhatToTypeAndChangeNothing() {
        threeMigrationsFromAlembic();
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "1", "--create", "-q");
        Map<String, String> before = snapshot(dir);
        Map<String, String> insteadOf = Map.of(
                "baseline", "did you mean `stamp VERSION`?",
                "validate", "did you mean `verify`?",
                "heads", "did you mean `history`?",
                "show", "did you mean `history`?",
                "revision", "did you mean `new DESCRIPTION`?",
                "undo", "did you mean `downgrade -1`?");
        insteadOf.forEach((typed, hint) -> {
            CrystalDb.Result refused = crystalDb(typed);
            assertEquals(2, refused.exitCode(), refused::describe);
            assertOneCleanErrorLine(refused);
            assertTrue(refused.stderr().startsWith("crystal-db: unknown command '" + typed + "'; " + hint), refused::describe);
        });
        for (String command : List.of("upgrade", "downgrade")) {
            CrystalDb.Result sql = crystalDb(command, "head", "--sql");
            assertEquals(2, sql.exitCode(), sql::describe);
            assertOneCleanErrorLine(sql);
            assertTrue(sql.stderr().startsWith("crystal-db: Unknown option: '--sql'; did you mean `--dry-run`? (Alembic's offline mode"), sql::describe);
        }
        CrystalDb.Result typo = crystalDb("upgarde");
        assertEquals(2, typo.exitCode(), typo::describe);
        assertTrue(typo.stderr().contains("did you mean `upgrade`?"), typo::describe);
        assertUntouched(before, dir);
        assertEquals(List.of("1"), appliedVersions(db));
    }
}
