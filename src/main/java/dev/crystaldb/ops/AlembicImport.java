package dev.crystaldb.ops;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SafeDirectory;
import dev.crystaldb.db.ScratchDirectory;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.MigrationFile;
import dev.crystaldb.migrate.MigrationLinter;
import dev.crystaldb.migrate.MigrationScaffold;
import dev.crystaldb.migrate.MigrationScript;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.SchemaDetection;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.migrate.SqlSplitter;
import dev.crystaldb.migrate.SqlStatement;
import dev.crystaldb.migrate.Version;
import dev.crystaldb.progress.Progress;
import dev.crystaldb.schema.SchemaComparison;
import dev.crystaldb.schema.SchemaFingerprint;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `import-alembic`: an Alembic history turned into V/U files holding the SQL Alembic runs on
 * SQLite, each with its `-- alembic-revision:` header, numbered after the highest version of the
 * migrations directory. Nothing is written until the files are proven on scratch databases: applied
 * by crystal-db to an empty database they give the schema `alembic upgrade head` gives, each undo
 * gives what `alembic downgrade -1` gives at its revision, and `stamp --detect` finds a database
 * Alembic made at any revision at that revision's version. Revisions imported before (their
 * headers are in the directory already) are kept, so a history that grew is imported again safely.
 */
public final class AlembicImport {
    /** Longest description part of a generated file name. */
    private static final int SLUG_LENGTH = 50;

    /** What to import: the project's alembic.ini, the Python that runs its Alembic, the directory the files go to. */
    public record Request(Path config, String python, Path migrations) {
    }

    /** One revision and its files: written now, or already in the directory; undo empty with the reason in undoNote. */
    public record Imported(String revision, String title, Version version, Path forward, Optional<Path> undo, String undoNote, boolean written) {
    }

    /** The proof that was run: how many revisions, undos and detections were compared, and the equivalence notes found. */
    public record Proof(String head, int revisions, int undos, int detections, List<String> notes) {
    }

    /** The outcome: every revision of the history with its files, warnings for the operator, and the proof. */
    public record Result(Path config, Path migrations, String versions, List<Imported> revisions, List<String> warnings, Proof proof) {
        public List<Imported> written() {
            return revisions.stream().filter(Imported::written).toList();
        }
    }

    private final Progress progress;

    public AlembicImport(Progress progress) {
        this.progress = progress;
    }

    public Result run(Request request) {
        Path config = request.config().toAbsolutePath().normalize();
        if (!Files.isRegularFile(config)) {
            throw CrystalDbException.usage("Alembic config " + request.config() + " does not exist: pass the project's alembic.ini with --config");
        }
        Path migrations = request.migrations().toAbsolutePath().normalize();
        if (!Files.isDirectory(migrations)) {
            throw CrystalDbException.usage("migrations directory " + request.migrations() + " does not exist: create it (mkdir -p "
                    + request.migrations() + ") or name another with --migrations");
        }
        MigrationSet existing = MigrationSet.fromDirectory(migrations).requireValid();
        ScratchDirectory scratch = privateDirectory();
        Path work = scratch.path();
        try {
            AlembicHistory history;
            try (Progress.Step step = progress.start("running the Alembic history on scratch databases")) {
                history = AlembicHistory.run(request.python(), config, work);
            }
            Map<String, MigrationFile> previous = previouslyImported(existing, history, migrations);
            List<String> warnings = new ArrayList<>();
            Map<String, String> files = new LinkedHashMap<>();
            List<Imported> revisions = plan(history, existing, previous, migrations, files, warnings);
            Path stage = Files.createDirectory(work.resolve("stage"));
            for (MigrationFile file : existing.forwards()) {
                Files.writeString(stage.resolve(file.fileName()), file.sql(), StandardCharsets.UTF_8);
                Optional<MigrationFile> undo = existing.undo(file.version());
                if (undo.isPresent()) {
                    Files.writeString(stage.resolve(undo.get().fileName()), undo.get().sql(), StandardCharsets.UTF_8);
                }
            }
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(stage.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
            MigrationSet staged = MigrationSet.fromDirectory(stage).requireValid();
            Proof proof;
            try (Progress.Step step = progress.start("proving the files against Alembic's databases")) {
                proof = prove(history, revisions, staged);
            } catch (CrystalDbException e) {
                if (e.exitCode() != ExitCode.FAILED) {
                    throw e;
                }
                throw proofFailed(List.of(e.getMessage())); // a file that does not even run on a scratch database
            }
            write(migrations, files);
            return new Result(config, migrations, history.versions(), revisions, warnings, proof);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot prepare the import in " + work + ": " + e.getMessage(), e);
        } finally {
            scratch.close();
        }
    }

    /** The revisions whose headers the directory already holds; they must be the start of the history. */
    private static Map<String, MigrationFile> previouslyImported(MigrationSet existing, AlembicHistory history, Path migrations) {
        Map<String, MigrationFile> byRevision = new HashMap<>();
        for (MigrationFile file : existing.forwards()) {
            Optional<String> revision = file.alembicRevision();
            if (revision.isEmpty()) {
                continue;
            }
            if (history.revision(revision.get()).isEmpty()) {
                throw CrystalDbException.usage(file.fileName() + " in " + migrations + " names Alembic revision " + revision.get()
                        + ", which this Alembic project does not have: import into another directory (--migrations DIR)");
            }
            MigrationFile other = byRevision.put(revision.get(), file);
            if (other != null) {
                throw CrystalDbException.usage(other.fileName() + " and " + file.fileName() + " both name Alembic revision " + revision.get()
                        + ": remove one of them");
            }
        }
        boolean gap = false;
        for (AlembicHistory.Revision revision : history.revisions()) {
            boolean present = byRevision.containsKey(revision.id());
            if (present && gap) {
                throw CrystalDbException.usage(byRevision.get(revision.id()).fileName() + " holds Alembic revision " + revision.id()
                        + " but " + migrations + " lacks revisions before it: the imported files would not follow the history; "
                        + "import into an empty directory");
            }
            gap |= !present;
        }
        return byRevision;
    }

    /** The files of the revisions not imported yet, in history order, numbered after the directory's highest version. */
    private static List<Imported> plan(AlembicHistory history, MigrationSet existing, Map<String, MigrationFile> previous, Path migrations,
                                       Map<String, String> files, List<String> warnings) {
        BigInteger next = existing.head().map(v -> v.major().add(BigInteger.ONE)).orElse(BigInteger.ONE);
        List<Imported> imported = new ArrayList<>();
        for (AlembicHistory.Revision revision : history.revisions()) {
            MigrationFile done = previous.get(revision.id());
            if (done != null) {
                Optional<Path> undo = existing.undo(done.version()).map(u -> migrations.resolve(u.fileName()));
                imported.add(new Imported(revision.id(), revision.title(), done.version(), migrations.resolve(done.fileName()), undo,
                        undo.isPresent() ? "" : "no undo file", false));
                continue;
            }
            String slug = MigrationScaffold.slug(revision.title());
            slug = slug.isEmpty() ? MigrationScaffold.slug(revision.id()) : slug;
            if (slug.length() > SLUG_LENGTH) { // cut at the last whole word
                String cut = slug.substring(0, SLUG_LENGTH + 1);
                slug = cut.contains("_") ? cut.substring(0, cut.lastIndexOf('_')) : cut.substring(0, SLUG_LENGTH);
            }
            String name = next + "__" + slug + ".sql";
            Version version = Version.parseOrNull(next.toString());
            next = next.add(BigInteger.ONE);
            String source = Path.of(revision.path()).getFileName().toString();
            files.put("V" + name, forwardText(revision, source, warnings, "V" + name));
            String undoNote;
            boolean nothingToUndo = revision.upgrade().isEmpty();
            switch (revision.downgradeOutcome()) {
                case MISSING -> undoNote = "no undo: the revision has no downgrade()";
                case FAILED -> {
                    undoNote = "no undo: downgrade() fails on SQLite (" + revision.downgradeError() + ")";
                    warnings.add(source + ": downgrade() fails on SQLite (" + revision.downgradeError() + "); no U" + name + " was written");
                }
                default -> undoNote = revision.downgrade().isEmpty() && !nothingToUndo ? "no undo: downgrade() does nothing" : "";
            }
            Optional<Path> undo = Optional.empty();
            if (undoNote.isEmpty()) { // an upgrade that does nothing gets an empty undo, so downgrades can pass it
                files.put("U" + name, undoText(revision, source, "V" + name, warnings, "U" + name));
                undo = Optional.of(migrations.resolve("U" + name));
            }
            imported.add(new Imported(revision.id(), revision.title(), version, migrations.resolve("V" + name), undo, undoNote, true));
        }
        return imported;
    }

    private static String forwardText(AlembicHistory.Revision revision, String source, List<String> warnings, String fileName) {
        StringBuilder text = new StringBuilder();
        text.append("-- ").append(revision.title()).append('\n');
        text.append("-- alembic-revision: ").append(revision.id()).append('\n');
        text.append("-- Imported by crystal-db import-alembic from ").append(source)
                .append(": the SQL `alembic upgrade` runs on SQLite for this revision.\n");
        readsNote(revision.upgradeReads(), "upgrade()", text, warnings, fileName);
        statements(revision.upgrade(), text, warnings, fileName);
        return text.toString();
    }

    private static String undoText(AlembicHistory.Revision revision, String source, String forward, List<String> warnings, String fileName) {
        StringBuilder text = new StringBuilder();
        text.append("-- Undo of ").append(forward).append(": downgrade() of ").append(source)
                .append(", the SQL `alembic downgrade -1` runs on SQLite.\n");
        text.append("-- alembic-revision: ").append(revision.id()).append('\n');
        readsNote(revision.downgradeReads(), "downgrade()", text, warnings, fileName);
        statements(revision.downgrade(), text, warnings, fileName);
        return text.toString();
    }

    /** A function that read rows decided in Python what to write; on the empty scratch database that may have been nothing. */
    private static void readsNote(List<String> reads, String function, StringBuilder text, List<String> warnings, String fileName) {
        if (reads.isEmpty()) {
            return;
        }
        String first = reads.get(0).replaceAll("\\s+", " ");
        text.append("-- REVIEW: ").append(function).append(" read rows in Python (").append(first)
                .append("), so what it writes depends on the data; this file holds what it wrote on an empty database.\n");
        warnings.add(fileName + ": " + function + " reads rows in Python (" + first
                + "); its data changes depend on the data and may be missing here: review the file");
    }

    private static void statements(List<String> statements, StringBuilder text, List<String> warnings, String fileName) {
        for (String statement : statements) {
            text.append('\n');
            String refusal = SqlSplitter.split(statement + ";").stream().map(MigrationScript::refusalOf)
                    .filter(r -> r != null).findFirst().orElse(null);
            if (refusal != null) {
                // crystal-db refuses such a file outright; the statement is kept, as a comment, for the operator to run by hand
                text.append("-- not run by crystal-db: ").append(refusal).append('\n');
                statement.lines().forEach(line -> text.append("-- ").append(line).append('\n'));
                warnings.add(fileName + ": " + statement.lines().findFirst().orElse("") + " is left as a comment: " + refusal);
            } else {
                text.append(statement).append(";\n");
            }
        }
    }

    private static Proof prove(AlembicHistory history, List<Imported> revisions, MigrationSet staged) {
        List<String> failures = new ArrayList<>();
        staged.problems().forEach(failures::add);
        for (MigrationLinter.Finding finding : MigrationLinter.lint(staged, false)) {
            if (finding.severity() == MigrationLinter.Severity.ERROR) {
                failures.add("lint: " + finding.message());
            }
        }
        if (!failures.isEmpty()) {
            throw proofFailed(failures);
        }
        List<String> notes = new ArrayList<>();
        AlembicHistory.Revision last = history.revisions().get(history.revisions().size() - 1);
        Imported lastImported = revisions.get(revisions.size() - 1);
        SchemaComparison head = SchemaTimeline.at(staged, lastImported.version()).compareWith(schemaOf(last.afterUpgrade()));
        head.differences().forEach(d -> failures.add("upgrade to head: " + d));
        notes.addAll(head.equivalences());
        int undos = 0;
        int detections = 0;
        for (int i = 0; i < revisions.size(); i++) {
            Imported imported = revisions.get(i);
            AlembicHistory.Revision revision = history.revisions().get(i);
            if (imported.undo().isPresent() && revision.afterDowngrade() != null) {
                SchemaComparison undo = SchemaTimeline.afterUndo(staged, imported.version()).compareWith(schemaOf(revision.afterDowngrade()));
                undo.differences().forEach(d -> failures.add(imported.undo().get().getFileName() + " against `alembic downgrade -1` from "
                        + revision.id() + ": " + d));
                notes.addAll(undo.equivalences());
                undos++;
            }
            SchemaDetection.Result found = SchemaDetection.detect(database(revision.afterUpgrade()), staged, Optional.of(revision.id()));
            Optional<Version> detected = found.decided().flatMap(SchemaTimeline.Point::version);
            if (detected.equals(Optional.of(imported.version()))) {
                detections++;
            } else {
                failures.add("stamp --detect on a database Alembic made at " + revision.id() + " finds "
                        + detected.map(Version::toString).orElse("no version") + ", not " + imported.version()
                        + (found.closestDifferences().isEmpty() ? "" : " (" + found.closestDifferences().get(0) + ")"));
            }
        }
        if (!failures.isEmpty()) {
            throw proofFailed(failures);
        }
        return new Proof(last.id(), revisions.size(), undos, detections, notes.stream().distinct().toList());
    }

    private static CrystalDbException proofFailed(List<String> failures) {
        return new CrystalDbException(ExitCode.CHECK_FAILED, "the converted files do not do what Alembic does, so nothing was written: "
                + failures.get(0) + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : ""));
    }

    private static SqliteDatabase database(Path file) {
        return SqliteDatabase.forReading(file, Duration.ofSeconds(5));
    }

    private static SchemaFingerprint schemaOf(Path file) {
        return SchemaDetection.liveSchema(database(file));
    }

    /** Writes each new file exclusively; if one cannot be written, the ones written before it are removed again. */
    private static void write(Path migrations, Map<String, String> files) {
        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path target = migrations.resolve(file.getKey());
                Files.writeString(target, file.getValue(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                written.add(target);
            }
        } catch (IOException e) {
            for (Path file : written) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // reported below with the cause
                }
            }
            if (e instanceof FileAlreadyExistsException exists) {
                throw CrystalDbException.usage(exists.getFile() + " already exists: the imported files would collide with it; nothing was written");
            }
            throw CrystalDbException.failed("cannot write the imported files into " + migrations + ": " + e.getMessage()
                    + "; nothing was written", e);
        }
    }

    /** Alembic's scratch databases and the staged files, in a scratch directory of the temporary directory. */
    private static ScratchDirectory privateDirectory() {
        Path temporary = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
        try (SafeDirectory parent = SafeDirectory.open(temporary)) {
            return ScratchDirectory.createFor(parent);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot create a scratch directory for the import in " + temporary + ": " + e.getMessage(), e);
        }
    }
}
