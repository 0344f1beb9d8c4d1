package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertNoStackTrace;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.historyRows;
import static dev.crystaldb.it.CrystalDb.integrityCheck;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.schema;
import static dev.crystaldb.it.CrystalDb.slowInsert;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PRODUCT.md §5: only one crystal-db run changes a database at a time; the others wait and find nothing left to do. */
class ConcurrentUpgradeIT {
    static final long ITERATIONS = 2_500_000; // each migration inserts 500,000 rows: a moment, not a coffee break

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void threeSimultaneousUpgradesOfAFreshDatabaseApplyEachMigrationExactlyOnce() {
        migrations(dir.resolve("m"),
                "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY, v INTEGER);\n" + slowInsert("one", ITERATIONS),
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY, v INTEGER);\n" + slowInsert("two", ITERATIONS),
                "V3__three.sql", "CREATE TABLE three (id INTEGER PRIMARY KEY, v INTEGER);\n" + slowInsert("three", ITERATIONS));
        Path db = dir.resolve("fresh.db");

        List<CrystalDb.Run> runs = new ArrayList<>();
        List<CrystalDb.Result> results = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                runs.add(CrystalDb.start(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--create", "-y"));
            }
            for (CrystalDb.Run run : runs) {
                results.add(run.await());
            }
        } finally {
            runs.forEach(CrystalDb.Run::close);
        }

        int stepsApplied = 0;
        for (CrystalDb.Result result : results) {
            assertEquals(0, result.exitCode(), result::describe);
            assertNoStackTrace(result);
            Matcher applied = Pattern.compile("(?m)^applied \\d+ ").matcher(result.stdout());
            while (applied.find()) {
                stepsApplied++;
            }
        }
        int steps = stepsApplied;
        assertEquals(3, steps, () -> "the three runs together should report 3 applied steps:\n"
                + results.stream().map(CrystalDb.Result::describe).reduce("", String::concat));

        assertEquals(List.of("1:1", "2:1", "3:1"), historyRows(db), "each version recorded exactly once, successfully");
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));
        for (String table : List.of("one", "two", "three")) {
            assertEquals(1, schema(db).stream().filter(row -> row.startsWith("table|" + table + "|")).count(), table);
            assertEquals(ITERATIONS / 5, count(db, table), "rows of " + table + " inserted exactly once");
        }
        assertEquals("ok", integrityCheck(db));
    }
}
