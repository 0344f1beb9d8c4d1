package dev.crystaldb.ops;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.BuildResources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * An Alembic history as Alembic itself runs it on SQLite: the helper shipped in this executable
 * (crystal-db/alembic/import_alembic.py) runs each revision's upgrade() and downgrade() with the
 * project's own Python and Alembic on scratch databases in a work directory, and records the
 * statements executed and a copy of the database after each step.
 */
public record AlembicHistory(String versions, String scriptDirectory, String head, List<Revision> revisions) {
    /** The helper's exit status when `import alembic` fails. */
    private static final int NO_ALEMBIC = 10;

    /** What downgrade() did: ran (its statements may be none), is missing, or failed on SQLite. */
    public enum DowngradeOutcome { RAN, MISSING, FAILED }

    /**
     * One revision: upgrade statements (parameters written as literals), the reads of data it made
     * (its effect then depends on the rows: on an empty database it wrote only what is recorded),
     * the same for downgrade(), and the databases after `alembic upgrade` and `alembic downgrade -1`
     * (afterDowngrade is null unless downgrade() ran).
     */
    public record Revision(String id, List<String> downRevisions, String message, String path, List<String> upgrade,
                           List<String> upgradeReads, DowngradeOutcome downgradeOutcome, String downgradeError, List<String> downgrade,
                           List<String> downgradeReads, Path afterUpgrade, Path afterDowngrade) {
        /** The first line of the revision's message. */
        public String title() {
            String line = message.lines().findFirst().orElse("").trim();
            return line.isEmpty() ? id : line;
        }
    }

    /** Runs the helper with python on config, in work (an empty private directory); refusals are CrystalDbExceptions. */
    public static AlembicHistory run(String python, Path config, Path work) {
        Path helper = work.resolve("import_alembic.py");
        Path log = work.resolve("helper.log");
        int exit;
        try {
            Files.writeString(helper, BuildResources.ALEMBIC_HELPER);
            ProcessBuilder builder = new ProcessBuilder(python, helper.toString(), config.toString(), work.toString())
                    .directory(config.getParent().toFile()) // where `alembic` is run: script_location is relative to it
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            exit = waitFor(builder.start());
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot run " + python + " (" + e.getMessage().replaceFirst("^Cannot run program \"[^\"]*\"[^:]*: ", "")
                    + "): name the Python that runs the app's Alembic with --python, e.g. --python /srv/app/.venv/bin/python");
        }
        if (exit == NO_ALEMBIC) {
            throw CrystalDbException.usage(python + " cannot import alembic (" + lastLine(log)
                    + "): name the Python that runs the app's Alembic with --python, e.g. --python /srv/app/.venv/bin/python");
        }
        Path manifest = work.resolve("manifest");
        if (exit != 0 || !Files.isRegularFile(manifest)) {
            throw CrystalDbException.failed("the Alembic helper failed with " + python + " (exit " + exit + "): " + lastLine(log), null);
        }
        return parse(manifest, work, config);
    }

    private static int waitFor(Process process) throws IOException {
        Thread stop = new Thread(process::destroy); // an interrupted import leaves no Python behind
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            Runtime.getRuntime().removeShutdownHook(stop);
        }
    }

    private static AlembicHistory parse(Path manifest, Path work, Path config) {
        List<String[]> records = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
                String[] parts = line.split("\t", -1);
                String[] record = new String[parts.length];
                record[0] = parts[0];
                for (int i = 1; i < parts.length; i++) {
                    record[i] = new String(Base64.getDecoder().decode(parts[i]), StandardCharsets.UTF_8);
                }
                records.add(record);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw CrystalDbException.failed("cannot read what the Alembic helper wrote: " + e.getMessage(), e);
        }
        String versions = "";
        String directory = "";
        String head = "";
        List<Revision> revisions = new ArrayList<>();
        Builder current = null;
        boolean done = false;
        for (String[] record : records) {
            switch (record[0]) {
                case "versions" -> versions = "Alembic " + record[1] + ", SQLAlchemy " + record[2] + ", Python " + record[3] + ", SQLite " + record[4];
                case "project" -> {
                    directory = record[1];
                    head = record[2];
                }
                case "refused" -> throw refusal(record, config);
                case "revision" -> {
                    if (current != null) {
                        revisions.add(current.build());
                    }
                    current = new Builder(record, work, revisions.size() + 1);
                }
                case "up" -> current.upgrade.add(record[1]);
                case "up-read" -> current.upgradeReads.add(record[1]);
                case "down" -> current.downgrade.add(record[1]);
                case "down-read" -> current.downgradeReads.add(record[1]);
                case "down-missing" -> current.outcome = DowngradeOutcome.MISSING;
                case "down-failed" -> {
                    current.outcome = DowngradeOutcome.FAILED;
                    current.error = record[1];
                }
                case "done" -> done = true;
                default -> throw CrystalDbException.failed("the Alembic helper wrote an unknown record " + record[0], null);
            }
        }
        if (!done) {
            throw CrystalDbException.failed("the Alembic helper stopped before the end of the history", null);
        }
        if (current != null) {
            revisions.add(current.build());
        }
        return new AlembicHistory(versions, directory, head, List.copyOf(revisions));
    }

    private static CrystalDbException refusal(String[] record, Path config) {
        return switch (record[1]) {
            case "heads" -> CrystalDbException.usage("the Alembic history of " + config + " has several heads (" + record[2]
                    + "): merge them first (alembic merge heads -m 'merge heads'), then import");
            case "empty" -> CrystalDbException.usage("the Alembic history of " + config + " has no revisions (" + record[2] + ")");
            case "failed" -> new CrystalDbException(ExitCode.FAILED, "Alembic revision " + record[2] + " (" + record[3] + ") fails on SQLite: "
                    + record[4] + "; fix it so that `alembic upgrade` runs on an empty SQLite database, then import again; nothing was written");
            default -> CrystalDbException.usage("cannot read the Alembic project of " + config + ": " + record[2]
                    + "; check its script_location");
        };
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).trim();
        } catch (IOException e) {
            return "no output";
        }
    }

    /** Collects one revision's records. */
    private static final class Builder {
        private final String[] record;
        private final Path afterUpgrade;
        private final Path afterDowngrade;
        private final List<String> upgrade = new ArrayList<>();
        private final List<String> upgradeReads = new ArrayList<>();
        private final List<String> downgrade = new ArrayList<>();
        private final List<String> downgradeReads = new ArrayList<>();
        private DowngradeOutcome outcome = DowngradeOutcome.RAN;
        private String error;

        Builder(String[] record, Path work, int index) {
            this.record = record;
            this.afterUpgrade = work.resolve(String.format("%04d-up.db", index));
            this.afterDowngrade = work.resolve(String.format("%04d-down.db", index));
        }

        Revision build() {
            List<String> downs = record[2].isEmpty() ? List.of() : Arrays.asList(record[2].split(","));
            return new Revision(record[1], downs, record[3], record[4], List.copyOf(upgrade), List.copyOf(upgradeReads), outcome, error,
                    List.copyOf(downgrade), List.copyOf(downgradeReads), afterUpgrade,
                    outcome == DowngradeOutcome.RAN ? afterDowngrade : null);
        }
    }

    /** The revision with this id, if the history has it. */
    public Optional<Revision> revision(String id) {
        return revisions.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
