package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.historyRows;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A database whose history another migration set wrote (the wrong --migrations, the wrong bundle)
 * is named as such by every command that checks the history, exit 2, and `repair` (which would
 * record the wrong set's checksums over the right ones) is neither advised nor done.
 */
class AnotherSetIT {
    @TempDir
    Path dir;

    private Path shop() {
        return migrations(dir.resolve("shop"),
                "V1__customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);\n",
                "U1__customers.sql", "DROP TABLE customers;\n",
                "V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id));\n",
                "U2__orders.sql", "DROP TABLE orders;\n",
                "V3__items.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id));\n",
                "U3__items.sql", "DROP TABLE items;\n");
    }

    @Test
    @Timeout(300)
    void everyCommandThatChecksTheHistoryNamesAnotherSetAndChangesNothing() {
        Path db = dir.resolve("shop.db");
        assertEquals(0, run(dir, "--db", db.toString(), "--migrations", shop().toString(), "upgrade", "--create", "-y").exitCode());
        // another app's set: other names and other SQL for the same versions, and one more
        Path budget = migrations(dir.resolve("budget"),
                "V1__initial_schema.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n", "U1__initial_schema.sql", "DROP TABLE users;\n",
                "V2__income.sql", "CREATE TABLE income (id INTEGER PRIMARY KEY);\n", "U2__income.sql", "DROP TABLE income;\n",
                "V3__expenses.sql", "CREATE TABLE expenses (id INTEGER PRIMARY KEY);\n", "U3__expenses.sql", "DROP TABLE expenses;\n",
                "V4__limits.sql", "CREATE TABLE limits (id INTEGER PRIMARY KEY);\n", "U4__limits.sql", "DROP TABLE limits;\n");
        // the same app's file names with another app's SQL in them
        Path sameNames = migrations(dir.resolve("same-names"),
                "V1__customers.sql", "CREATE TABLE clients (id INTEGER PRIMARY KEY);\n",
                "V2__orders.sql", "CREATE TABLE purchases (id INTEGER PRIMARY KEY);\n",
                "V3__items.sql", "CREATE TABLE lines (id INTEGER PRIMARY KEY);\n");
        String before = sha256(db);
        List<String> history = historyRows(db);

        for (Path wrong : List.of(budget, sameNames)) {
            for (List<String> command : List.of(List.of("upgrade", "-y"), List.of("upgrade", "--rehearse", "-y"), List.of("rehearse"),
                    List.of("status"), List.of("status", "--check"), List.of("verify"), List.of("downgrade", "-1", "-y"), List.of("stamp", "2"),
                    List.of("repair", "-y"), List.of("repair", "--dry-run"), List.of("upgrade", "--dry-run"))) {
                String[] args = Stream.concat(Stream.of("--db", db.toString(), "--migrations", wrong.toString()), command.stream()).toArray(String[]::new);
                CrystalDb.Result result = run(dir, args);
                assertEquals(2, result.exitCode(), result::describe);
                assertOneCleanErrorLine(result);
                String line = result.stderr();
                assertTrue(line.startsWith("crystal-db: this database was migrated with another migration set than " + wrong + " (3 of 3 applied versions differ: "),
                        result::describe);
                assertTrue(line.contains("check --migrations / CRYSTAL_DB_MIGRATIONS / the bundle this executable carries"), result::describe);
                assertFalse(line.contains("repair"), result::describe);
                assertEquals(before, sha256(db), String.join(" ", command) + " changed the database");
                assertEquals(history, historyRows(db));
                assertFalse(Files.exists(dir.resolve("backups")), String.join(" ", command) + " took a backup");
            }
        }
        CrystalDb.Result named = run(dir, "--db", db.toString(), "--migrations", budget.toString(), "status");
        assertTrue(named.stderr().contains("V1__customers.sql in the history is V1__initial_schema.sql in the set, with another checksum"), named::describe);
        CrystalDb.Result sameNamed = run(dir, "--db", db.toString(), "--migrations", sameNames.toString(), "status");
        assertTrue(sameNamed.stderr().contains("V1__customers.sql has another checksum, V2__orders.sql has another checksum"), sameNamed::describe);

        // the right set still works on it
        assertEquals(0, run(dir, "--db", db.toString(), "--migrations", shop().toString(), "verify").exitCode());
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));
    }

    @Test
    @Timeout(300)
    void oneEditedFileOfTheRightSetIsStillAnEditWithItsFix() throws Exception {
        Path db = dir.resolve("shop.db");
        Path shop = shop();
        assertEquals(0, run(dir, "--db", db.toString(), "--migrations", shop.toString(), "upgrade", "--create", "-y").exitCode());
        Files.writeString(shop.resolve("V2__orders.sql"), "-- orders of a customer\n" + Files.readString(shop.resolve("V2__orders.sql")));
        CrystalDb.Result rehearse = run(dir, "--db", db.toString(), "--migrations", shop.toString(), "rehearse");
        assertEquals(4, rehearse.exitCode(), rehearse::describe);
        assertTrue(rehearse.stderr().contains("V2__orders.sql was changed after it was applied"), rehearse::describe);
        assertTrue(rehearse.stderr().contains("`crystal-db repair`"), rehearse::describe);
    }
}
