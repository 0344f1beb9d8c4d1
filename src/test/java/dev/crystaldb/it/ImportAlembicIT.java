package dev.crystaldb.it;

import dev.crystaldb.support.Alembic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.crystaldb.it.CrystalDb.appliedVersions;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged executable carries the Alembic helper: import, then adopt a database Alembic made and upgrade it. */
class ImportAlembicIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void importThenAdoptTheDatabaseAlembicMade() throws Exception {
        Alembic.assumeInstalled();
        Path project = Alembic.project("crystalbudget", dir.resolve("project"));
        Files.createDirectories(dir.resolve("migrations"));
        CrystalDb.Result imported = ok(dir, "--migrations", "migrations", "import-alembic", "--config", "project/alembic.ini", "--python", Alembic.python());
        assertTrue(imported.stdout().contains("stamp --detect: a database Alembic made at each of the 5 revision(s) is found"), imported.describe());
        assertEquals(10, fileNames(dir.resolve("migrations")).size(), fileNames(dir.resolve("migrations")).toString());

        Path db = dir.resolve("budget.db");
        Alembic.run(project, db, "upgrade", "add_date_to_income");
        ok(dir, "--db", db.toString(), "--migrations", "migrations", "stamp", "--detect");
        ok(dir, "--db", db.toString(), "--migrations", "migrations", "upgrade", "--rehearse");
        assertEquals(List.of("1", "2", "3", "4", "5"), appliedVersions(db));
    }

    /**
     * The files are the same bytes on every run: their checksums go into the history and into a bundle's SHA.
     * Alembic's batch mode copied a table's constraints out of a set ordered by object address, so U5's
     * recreated table changed order about every other run; six runs all alike leave little to chance.
     */
    @Test
    @Timeout(240)
    void everyImportWritesTheSameBytes() throws Exception {
        Alembic.assumeInstalled();
        Alembic.project("crystalbudget", dir.resolve("project"));
        Map<String, String> first = null;
        for (int run = 1; run <= 6; run++) {
            Path migrations = Files.createDirectories(dir.resolve("migrations-" + run));
            ok(dir, "--migrations", migrations.toString(), "import-alembic", "--config", "project/alembic.ini", "--python", Alembic.python());
            Map<String, String> files = new TreeMap<>();
            for (String name : fileNames(migrations)) {
                files.put(name, Files.readString(migrations.resolve(name)));
            }
            assertEquals(10, files.size(), files.keySet().toString());
            if (first == null) {
                first = files;
            } else {
                assertEquals(first, files, "run " + run + " wrote other bytes than run 1");
            }
        }
    }
}
