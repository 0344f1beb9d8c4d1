package dev.crystaldb.cli;

import dev.crystaldb.schema.SchemaComparison;
import dev.crystaldb.schema.SchemaReader;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.support.Alembic;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** import-alembic on real Alembic projects, checked against what real `alembic upgrade` and `alembic downgrade -1` make. */
class ImportAlembicCliTest {
    @TempDir
    Path dir;

    private Path project;
    private Path migrations;

    @BeforeEach
    void repairBot() throws Exception {
        Alembic.assumeInstalled();
        project = Alembic.project("repairbot", dir.resolve("bot"));
        migrations = Files.createDirectories(dir.resolve("migrations"));
    }

    private Cli.Run importAlembic() {
        return importAlembic(project.resolve("alembic.ini").toString(), Alembic.python());
    }

    private Cli.Run importAlembic(String config, String python) {
        return Cli.run("--migrations", migrations.toString(), "import-alembic", "--config", config, "--python", python);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> files = Files.list(migrations)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static SchemaFingerprint schema(Path db) throws Exception {
        try (Connection connection = TestDb.connect(db)) {
            return new SchemaReader().read(connection);
        }
    }

    private Cli.Run crystalDb(Path db, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--db", db.toString(), "--migrations", migrations.toString(), "--yes"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void theImportedFilesDoAtEveryStepWhatRealAlembicDoes() throws Exception {
        Cli.Run run = importAlembic();
        assertEquals(0, run.exit(), run.toString());
        assertEquals(List.of("U1__initial_schema.sql", "U2__add_phone_number_to_users.sql", "U3__total_amount_is_money_numeric_10_2_never_null.sql",
                "U4__order_statuses_a_table_of_titles_in_progress.sql", "V1__initial_schema.sql", "V2__add_phone_number_to_users.sql",
                "V3__total_amount_is_money_numeric_10_2_never_null.sql", "V4__order_statuses_a_table_of_titles_in_progress.sql",
                "V5__отзывы_клиентов.sql"), files(), "a revision whose downgrade() does nothing gets no U file");
        assertTrue(run.out().contains("  upgrade: the files applied to an empty database give the schema of `alembic upgrade head` (005)\n"), run.out());
        assertTrue(run.out().contains("  undo: each of the 4 U file(s) gives the schema of `alembic downgrade -1` at its revision\n"), run.out());
        assertTrue(run.out().contains("  stamp --detect: a database Alembic made at each of the 5 revision(s) is found at that revision's version\n"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("  written  V5__отзывы_клиентов.sql +\\(no undo: downgrade\\(\\) does nothing\\) +005")), run.out());
        for (String file : files()) {
            String revision = "00" + file.charAt(1);
            assertTrue(Files.readString(migrations.resolve(file)).contains("\n-- alembic-revision: " + revision + "\n"), file);
        }
        String v4 = Files.readString(migrations.resolve("V4__order_statuses_a_table_of_titles_in_progress.sql"));
        assertTrue(v4.contains("VALUES ('IN_WORK', 'В работе (мастер''s)', 2);\n"), "bound parameters are literals: " + v4);
        assertTrue(v4.contains("UPDATE orders SET status = 'IN_WORK' WHERE status = 'IN_PROGRESS';\n"), v4);
        Cli.Run lint = Cli.run("--migrations", migrations.toString(), "lint", "--round-trip");
        assertEquals(0, lint.exit(), lint.toString());
        assertTrue(lint.out().contains("0 error(s)"), lint.out());
        try (Stream<Path> caches = Files.walk(project)) {
            assertEquals(List.of(), caches.filter(p -> p.getFileName().toString().equals("__pycache__")).toList(), "the project is left as it was");
        }

        for (int step = 1; step <= 5; step++) {
            String revision = Alembic.REPAIRBOT_REVISIONS.get(step - 1);
            Path alembic = dir.resolve("alembic-" + step + ".db");
            Alembic.run(project, alembic, "upgrade", revision);
            Path crystal = dir.resolve("crystal-" + step + ".db");
            assertEquals(0, crystalDb(crystal, "upgrade", String.valueOf(step), "--create").exit());
            assertEquals(new SchemaComparison(List.of(), List.of()), schema(crystal).compareWith(schema(alembic)), "after " + revision);

            Path adopted = Files.copy(alembic, dir.resolve("adopted-" + step + ".db"));
            Cli.Run stamp = crystalDb(adopted, "stamp", "--detect");
            assertEquals(0, stamp.exit(), stamp.toString());
            assertTrue(stamp.err().contains("alembic_version " + revision + " maps to version " + step + ", and the schema confirms it"), stamp.toString());
            assertEquals(step, TestDb.history(adopted).size());

            if (step < 5) {
                assertEquals(0, crystalDb(crystal, "downgrade", "-1", "--no-backup").exit());
                Alembic.run(project, alembic, "downgrade", "-1");
                assertEquals(List.of(), schema(crystal).compareWith(schema(alembic)).differences(), "undo of " + revision);
            }
        }
    }

    @Test
    void dataMigrationsLeaveTheRowsAlembicLeaves() throws Exception {
        assertEquals(0, importAlembic().exit());
        Path alembic = dir.resolve("alembic.db");
        Alembic.run(project, alembic, "upgrade", "002");
        TestDb.execute(alembic, "INSERT INTO users (telegram_id, username, role) VALUES (42, 'o''brien', 'MASTER')",
                "INSERT INTO masters (telegram_id, phone) VALUES (42, '+7 900 000-00-00')",
                "INSERT INTO orders (description, status, assigned_master_id, total_amount) VALUES ('стиральная машина', 'IN_PROGRESS', 1, NULL)",
                "INSERT INTO orders (description, total_amount) VALUES ('холодильник', 1500.5)");
        Path crystal = Files.copy(alembic, dir.resolve("crystal.db"));
        Alembic.run(project, alembic, "upgrade", "head");
        assertEquals(0, crystalDb(crystal, "stamp", "--detect").exit());
        Cli.Run upgrade = crystalDb(crystal, "upgrade");
        assertEquals(0, upgrade.exit(), upgrade.toString());
        for (String query : List.of("SELECT id || '|' || description || '|' || status || '|' || quote(total_amount) FROM orders ORDER BY id",
                "SELECT code || '|' || title || '|' || sort_order FROM order_statuses ORDER BY code",
                "SELECT id || '|' || username || '|' || role FROM users ORDER BY id")) {
            assertEquals(TestDb.strings(alembic, query), TestDb.strings(crystal, query), query);
        }
        assertEquals(List.of("1|стиральная машина|IN_WORK|0", "2|холодильник|NEW|1500.5"),
                TestDb.strings(crystal, "SELECT id || '|' || description || '|' || status || '|' || quote(total_amount) FROM orders ORDER BY id"));
    }

    @Test
    void aHistoryThatGrewIsImportedAgainFromWhereItStopped() throws Exception {
        Path later = Files.createDirectories(dir.resolve("later"));
        for (String name : List.of("004_order_statuses.py", "005_reviews.py")) {
            Files.move(project.resolve("migrations/versions/" + name), later.resolve(name));
        }
        Cli.Run first = importAlembic();
        assertEquals(0, first.exit(), first.toString());
        assertEquals(6, files().size());
        String v1 = TestDb.sha256(migrations.resolve("V1__initial_schema.sql"));

        Cli.Run nothing = importAlembic();
        assertEquals(0, nothing.exit(), nothing.toString());
        assertTrue(nothing.out().startsWith("nothing to import: the 3 revision(s) up to 003 are in " + migrations + " already\n"), nothing.out());
        assertEquals(6, files().size());

        for (String name : List.of("004_order_statuses.py", "005_reviews.py")) {
            Files.move(later.resolve(name), project.resolve("migrations/versions/" + name));
        }
        Cli.Run second = importAlembic();
        assertEquals(0, second.exit(), second.toString());
        assertTrue(second.out().contains("imported 2 Alembic revision(s)"), second.out());
        assertTrue(second.out().contains("  kept     V1__initial_schema.sql"), second.out());
        assertEquals(9, files().size());
        assertTrue(files().contains("V5__отзывы_клиентов.sql"));
        assertEquals(v1, TestDb.sha256(migrations.resolve("V1__initial_schema.sql")));
    }

    @Test
    void aRevisionThatReadsRowsOrRunsWhatCrystalDbRefusesIsImportedWithAWarning() throws Exception {
        Files.writeString(project.resolve("migrations/versions/006_recount.py"), String.join("\n",
                "\"\"\"recount masters\"\"\"",
                "from alembic import op",
                "import sqlalchemy as sa",
                "revision = '006'",
                "down_revision = '005'",
                "def upgrade():",
                "    for (master,) in op.get_bind().execute(sa.text('SELECT id FROM masters')).fetchall():",
                "        op.execute(sa.text('UPDATE orders SET status = :s WHERE assigned_master_id = :m').bindparams(s='NEW', m=master))",
                "    op.execute('PRAGMA foreign_keys = ON')",
                "    op.execute('VACUUM')",
                "def downgrade():",
                "    pass", ""));
        Cli.Run run = importAlembic();
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.err().contains("warning: V6__recount_masters.sql: upgrade() reads rows in Python (SELECT id FROM masters); "
                + "its data changes depend on the data and may be missing here: review the file\n"), run.err());
        assertTrue(run.err().contains("warning: V6__recount_masters.sql: VACUUM is left as a comment: VACUUM cannot run inside a transaction"), run.err());
        String v6 = Files.readString(migrations.resolve("V6__recount_masters.sql"));
        assertTrue(v6.contains("-- REVIEW: upgrade() read rows in Python (SELECT id FROM masters)"), v6);
        assertTrue(v6.contains("\nPRAGMA foreign_keys = ON;\n"), "kept: crystal-db drops it inside the unit itself: " + v6);
        assertTrue(v6.contains("\n-- VACUUM\n"), v6);
        assertEquals(0, Cli.run("--migrations", migrations.toString(), "lint").exit());
    }

    @Test
    void refusalsNameTheProblemAndWriteNothing() throws Exception {
        Path wrapper = dir.resolve("python-without-site-packages");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + Alembic.python() + " -S \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> refusals = new TreeMap<>();
        String config = project.resolve("alembic.ini").toString();
        refusals.put("no alembic", refusal(2, config, wrapper.toString()));
        refusals.put("no python", refusal(2, config, dir.resolve("no/python").toString()));
        refusals.put("no config", refusal(2, dir.resolve("nowhere/alembic.ini").toString(), Alembic.python()));
        assertTrue(refusals.get("no alembic").startsWith("crystal-db: " + wrapper + " cannot import alembic (No module named '"
                ), refusals.toString());
        assertTrue(refusals.get("no alembic").contains("'): name the Python that runs the app's Alembic with --python"), refusals.toString());
        assertTrue(refusals.get("no python").startsWith("crystal-db: cannot run " + dir.resolve("no/python")), refusals.toString());
        assertTrue(refusals.get("no config").startsWith("crystal-db: Alembic config " + dir.resolve("nowhere/alembic.ini")
                + " does not exist: pass the project's alembic.ini with --config"), refusals.toString());

        Cli.Run noDirectory = Cli.run("--migrations", dir.resolve("missing").toString(), "import-alembic", "--config",
                project.resolve("alembic.ini").toString(), "--python", Alembic.python());
        assertEquals(2, noDirectory.exit());
        assertEquals("crystal-db: migrations directory " + dir.resolve("missing") + " does not exist: create it (mkdir -p " + dir.resolve("missing")
                + ") or name another with --migrations\n", noDirectory.err());
        assertFalse(Files.exists(dir.resolve("missing")));

        Path failing = project.resolve("migrations/versions/006_broken.py");
        Files.writeString(failing, "from alembic import op\nrevision = '006'\ndown_revision = '005'\n"
                + "def upgrade():\n    op.execute('UPDATE nowhere SET x = 1')\ndef downgrade():\n    pass\n");
        assertTrue(refusal(1).matches("crystal-db: Alembic revision 006 \\(.*006_broken.py\\) fails on SQLite: .*no such table: nowhere.*; "
                + "fix it so that `alembic upgrade` runs on an empty SQLite database, then import again; nothing was written\n"));
        Files.delete(failing);

        for (String head : List.of("006a", "006b")) {
            Files.writeString(project.resolve("migrations/versions/" + head + ".py"), "revision = '" + head + "'\ndown_revision = '005'\n"
                    + "def upgrade():\n    pass\ndef downgrade():\n    pass\n");
        }
        assertEquals("crystal-db: the Alembic history of " + project.resolve("alembic.ini") + " has several heads (006a, 006b): "
                + "merge them first (alembic merge heads -m 'merge heads'), then import\n", refusal(2));
        Files.delete(project.resolve("migrations/versions/006a.py"));
        Files.delete(project.resolve("migrations/versions/006b.py"));

        TestDb.write(migrations, "V1__other.sql", "-- alembic-revision: 1b77062a812f\nCREATE TABLE t (x);\n");
        assertEquals("crystal-db: V1__other.sql in " + migrations + " names Alembic revision 1b77062a812f, which this Alembic project does not have: "
                + "import into another directory (--migrations DIR)\n", refusal(2));
        Files.delete(migrations.resolve("V1__other.sql"));
        TestDb.write(migrations, "V3__third.sql", "-- alembic-revision: 003\nCREATE TABLE t (x);\n");
        assertTrue(refusal(2).startsWith("crystal-db: V3__third.sql holds Alembic revision 003 but " + migrations + " lacks revisions before it"));
        Files.delete(migrations.resolve("V3__third.sql"));

        TestDb.write(migrations, "V1__hand_written.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
        String proof = refusal(4);
        assertTrue(proof.startsWith("crystal-db: the converted files do not do what Alembic does, so nothing was written: "), proof);
        assertEquals(List.of("V1__hand_written.sql"), files());
    }

    private String refusal(int exit) throws IOException {
        return refusal(exit, project.resolve("alembic.ini").toString(), Alembic.python());
    }

    /** Runs an import that must fail with exit; checks that stderr is one line and nothing was written; returns stderr. */
    private String refusal(int exit, String config, String python) throws IOException {
        List<String> before = files();
        Cli.Run run = importAlembic(config, python);
        assertEquals(exit, run.exit(), run.toString());
        assertEquals(1, run.err().lines().count(), run.toString());
        assertEquals("", run.out());
        assertEquals(before, files());
        return run.err();
    }
}
