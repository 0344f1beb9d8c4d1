package dev.crystaldb.support;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real Alembic and SQLAlchemy (Debian's python3-alembic) driving the Alembic projects of
 * src/test/resources/alembic/: databases made by `alembic upgrade`, `alembic downgrade` and the
 * app's `metadata.create_all`, as the users' own tooling made them.
 */
public final class Alembic {
    /** The revisions of the repair bot project (src/test/resources/alembic/repairbot), base to head. */
    public static final List<String> REPAIRBOT_REVISIONS = List.of("001", "002", "003", "004", "005");

    /**
     * The revisions of the CrystalBudget project, base to head; they correspond to the bundled versions 1 to 5
     * (whose own headers name other ids: {@link TestDb#crystalBudgetMigrations} gives the set with these).
     */
    public static final List<String> CRYSTALBUDGET_REVISIONS = List.of("1b77062a812f", "d06c52a8b6a7", "add_date_to_income", "515954c99c28",
            "add_shared_budget_to_users");

    private Alembic() {
    }

    /** Debian's python3 (where python3-alembic installs), even when another python3 comes first on the PATH. */
    public static String python() {
        return new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
    }

    /** Skips the calling test where Alembic is not installed. */
    public static void assumeInstalled() {
        boolean installed;
        try {
            installed = new ProcessBuilder(python(), "-c", "import alembic").start().waitFor() == 0;
        } catch (IOException e) {
            installed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            installed = false;
        }
        Assumptions.assumeTrue(installed, "python3-alembic not installed (apt-get install python3-alembic)");
    }

    /** Copies the project src/test/resources/alembic/NAME into directory (Python writes __pycache__ beside its files). */
    public static Path project(String name, Path directory) throws IOException {
        Path source = Path.of("src", "test", "resources", "alembic", name);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = directory.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return directory;
    }

    /** Runs `alembic -x url=sqlite:///DB ARGS...` in project, with DATABASE_PATH=DB too; fails the test when Alembic fails. */
    public static String run(Path project, Path db, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python(), "-m", "alembic", "-x", "url=sqlite:///" + db.toAbsolutePath()));
        command.addAll(List.of(args));
        return python(project, command, db);
    }

    /** The database the app's models of release (1 to 5) make with metadata.create_all. */
    public static Path createAll(Path project, Path db, int release) throws IOException, InterruptedException {
        python(project, List.of(python(), "models.py", "sqlite:///" + db.toAbsolutePath(), String.valueOf(release)), db);
        return db;
    }

    private static String python(Path project, List<String> command, Path db) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().put("DATABASE_PATH", db.toAbsolutePath().toString());
        Process process = builder.start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + "\n" + log);
        return log;
    }
}
