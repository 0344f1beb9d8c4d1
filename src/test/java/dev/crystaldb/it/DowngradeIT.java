package dev.crystaldb.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.count;
import static dev.crystaldb.it.CrystalDb.integrityCheck;
import static dev.crystaldb.it.CrystalDb.migrations;
import static dev.crystaldb.it.CrystalDb.ok;
import static dev.crystaldb.it.CrystalDb.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `downgrade -1`, typed the way Alembic users type it, goes back exactly one version. */
class DowngradeIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void downgradeMinusOneGoesBackOneVersion() throws IOException {
        migrations(dir.resolve("m"),
                "V1__one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);\nINSERT INTO one (id) VALUES (1), (2);\n",
                "U1__one.sql", "DROP TABLE one;\n",
                "V2__two.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);\n",
                "U2__two.sql", "DROP TABLE two;\n",
                "V3__three.sql", "CREATE TABLE three (id INTEGER PRIMARY KEY);\n",
                "U3__three.sql", "DROP TABLE three;\n");
        Path db = dir.resolve("app.db");
        ok(dir, "--db", db.toString(), "--migrations", "m", "upgrade", "--create", "-q");
        assertEquals(List.of("1", "2", "3"), appliedVersions(db));

        // exactly as typed by an operator; no -y (stdin is not a terminal, so no question is asked)
        CrystalDb.Result first = ok(dir, "--db", db.toString(), "--migrations", "m", "downgrade", "-1");
        assertTrue(first.stdout().contains("undid 3"), first::describe);
        assertEquals(List.of("1", "2"), appliedVersions(db));
        assertFalse(tableExists(db, "three"));
        assertTrue(tableExists(db, "two"));
        assertEquals(1, backups(), "a pre-downgrade backup is taken first");

        // global options after the target
        ok(dir, "downgrade", "-1", "--db", db.toString(), "--migrations", "m", "-y");
        assertEquals(List.of("1"), appliedVersions(db));
        assertFalse(tableExists(db, "two"));
        assertEquals(2, count(db, "one"), "version 1's data is untouched");
        assertEquals("ok", integrityCheck(db));
    }

    private long backups() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("_pre-downgrade.db")).count();
        }
    }
}
