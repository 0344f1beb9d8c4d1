package dev.crystaldb.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.crystaldb.it.CrystalDb.assertOneCleanErrorLine;
import static dev.crystaldb.it.CrystalDb.fileNames;
import static dev.crystaldb.it.CrystalDb.run;
import static dev.crystaldb.it.CrystalDb.scalar;
import static dev.crystaldb.it.CrystalDb.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `new` and `new --from` from the packaged executable: the working directory, the journal, and the dev database SQLAlchemy made. */
class NewCommandIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void newOutsideAProjectCreatesNothing() {
        CrystalDb.Result result = run(dir, "new", "add avatar url");
        assertEquals(2, result.exitCode(), result::describe);
        assertOneCleanErrorLine(result);
        assertTrue(result.stderr().contains("new writes migration files into a directory"), result::describe);
        assertEquals(List.of(), fileNames(dir));
    }

    @Test
    @Timeout(120)
    void onTheJournalEachStderrLineCarriesItsPriority() throws Exception {
        Path err = Files.createFile(dir.resolve("stderr.txt"));
        String stream = Files.getAttribute(err, "unix:dev") + ":" + Files.getAttribute(err, "unix:ino");
        assertEquals(2, runWithStderrTo(err, stream, "--db", dir.resolve("missing.db").toString(), "status"));
        // the set named first (a notice), then the refusal (an error), as every command that reads a set does
        assertEquals(List.of("<6>migrations: " + builtInSet(), "<3>crystal-db: database " + dir.resolve("missing.db")
                        + " does not exist: check --db / CRYSTAL_DB, or pass --create to make a new one"),
                Files.readAllLines(err));

        Files.writeString(err, "");
        assertEquals(2, runWithStderrTo(err, "1:2", "--db", dir.resolve("missing.db").toString(), "status"));
        assertEquals(List.of("migrations: " + builtInSet(), "crystal-db: database " + dir.resolve("missing.db")
                        + " does not exist: check --db / CRYSTAL_DB, or pass --create to make a new one"),
                Files.readAllLines(err), "a JOURNAL_STREAM inherited by a process whose stderr is elsewhere: plain lines");
    }

    /** How the first line names the set built into the executable under test. */
    private String builtInSet() throws Exception {
        String version = CrystalDb.run(dir, "--version").stdout();
        return version.lines().filter(l -> l.startsWith("migrations: ")).findFirst().orElseThrow().substring("migrations: ".length());
    }

    private int runWithStderrTo(Path err, String journalStream, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(CrystalDb.executable().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
        builder.environment().put("JOURNAL_STREAM", journalStream);
        Process process = builder.start();
        process.getOutputStream().close();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return process.exitValue();
    }

    /** The dev database an app's SQLAlchemy models made with create_all, as the next migration's SCHEMA, then shipped to a database with rows. */
    @Test
    @Timeout(300)
    void theNextMigrationFromTheModelsCreateAllMade() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/python3").canExecute()
                        && new ProcessBuilder("/usr/bin/python3", "-c", "import sqlalchemy").start().waitFor() == 0,
                "SQLAlchemy not installed (apt-get install python3-alembic brings it)");
        Files.createDirectories(dir.resolve("migrations"));
        Path dev = dir.resolve("dev.db");
        createAll(dev, "");
        CrystalDb.Result first = inProject("new", "initial schema", "--from", "dev.db");
        assertTrue(first.stdout().contains("  create table users\n") && first.stdout().contains("  create table expenses\n"), first::describe);

        Path production = dir.resolve("prod.db");
        inProject("--db", "prod.db", "upgrade", "--create");
        try (var connection = CrystalDb.connect(production); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO users (id, email, name) VALUES (1, 'a@example.org', 'Anna'), (2, 'b@example.org', NULL)");
            statement.execute("INSERT INTO expenses (id, user_id, amount, note) VALUES (1, 1, 12.5, 'lunch'), (2, 2, 3, NULL)");
        }

        // the models change: a new column, a new table with an index, a column that gets NOT NULL with a default (a rebuild);
        // Numeric(10, 2) for Numeric changes nothing SQLite stores, so it is no reason to rebuild
        createAll(dev, "v2");
        String devBefore = sha256(dev);
        CrystalDb.Result next = inProject("new", "currency and tags", "--from", "dev.db");
        assertEquals(devBefore, sha256(dev), "the dev database is only read");
        assertTrue(next.stdout().contains("  table users: add column avatar_url\n"), next::describe);
        assertTrue(next.stdout().contains("  rebuild table expenses\n"), next::describe);
        assertTrue(next.stdout().contains("  create table tags\n"), next::describe);
        inProject("lint", "--round-trip");
        CrystalDb.Result rehearsal = inProject("--db", "prod.db", "rehearse");
        assertTrue(rehearsal.stdout().contains("rehearsal passed"), rehearsal::describe);
        inProject("--db", "prod.db", "upgrade", "--yes");
        assertEquals("2", scalar(production, "SELECT count(*) FROM expenses WHERE currency = 'EUR'"));
        assertEquals("lunch|12.5", scalar(production, "SELECT note || '|' || amount FROM expenses WHERE id = 1"));
        assertEquals("Anna", scalar(production, "SELECT name FROM users WHERE id = 1"));
        assertEquals("", scalar(production, "SELECT note FROM expenses WHERE id = 2"), "NULL became the new default");
        CrystalDb.Result again = inProject("new", "anything else", "--from", "dev.db");
        assertTrue(again.stdout().startsWith("no difference: dev.db has the schema of version 2; nothing written"), again::describe);
        inProject("--db", "prod.db", "downgrade", "-1", "--yes");
        assertEquals("lunch", scalar(production, "SELECT note FROM expenses WHERE id = 1"));
        assertFalse(fileNames(dir).contains("dev.db-wal"));
    }

    /** A run in the project directory, on its migrations/ (as CRYSTAL_DB_MIGRATIONS=migrations in a developer's shell), insisting on exit 0. */
    private CrystalDb.Result inProject(String... args) {
        CrystalDb.Result result = run(dir, Map.of("CRYSTAL_DB_MIGRATIONS", "migrations"), args);
        assertEquals(0, result.exitCode(), result::describe);
        return result;
    }

    private void createAll(Path db, String version) throws Exception {
        Files.deleteIfExists(db);
        Path models = dir.resolve("models.py");
        Files.writeString(models, String.join("\n",
                "import sys",
                "from sqlalchemy import create_engine, MetaData, Table, Column, Integer, String, Numeric, ForeignKey, Index, Text",
                "v2 = sys.argv[2] == 'v2'",
                "metadata = MetaData()",
                "users = Table('users', metadata, Column('id', Integer, primary_key=True), Column('email', String(255), nullable=False, unique=True),",
                "              Column('name', String(120)), *([Column('avatar_url', Text)] if v2 else []))",
                "expenses = Table('expenses', metadata, Column('id', Integer, primary_key=True),",
                "                 Column('user_id', Integer, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),",
                "                 Column('amount', Numeric(10, 2) if v2 else Numeric, nullable=False),",
                "                 Column('note', String(255), nullable=False, server_default='') if v2 else Column('note', String(255)),",
                "                 *([Column('currency', String(3), nullable=False, server_default='EUR')] if v2 else []))",
                "if v2:",
                "    tags = Table('tags', metadata, Column('id', Integer, primary_key=True), Column('user_id', Integer, ForeignKey('users.id')),",
                "                 Column('name', String(50), nullable=False))",
                "    Index('ix_tags_user_id', tags.c.user_id)",
                "metadata.create_all(create_engine('sqlite:///' + sys.argv[1]))", ""), StandardCharsets.UTF_8);
        Process python = new ProcessBuilder("/usr/bin/python3", models.toString(), db.toString(), version.isEmpty() ? "v1" : version)
                .redirectErrorStream(true).start();
        String log = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, python.waitFor(), log);
    }
}
