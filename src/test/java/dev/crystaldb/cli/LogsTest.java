package dev.crystaldb.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a library may log once crystal-db has set up logging: warnings and worse, one line each; Flyway and sqlite-jdbc nothing. */
class LogsTest {
    private final PrintStream stderr = System.err;
    private final Logger root = Logger.getLogger("");
    private final Handler[] handlers = root.getHandlers();
    private final Level level = root.getLevel();

    @AfterEach
    void restore() {
        System.setErr(stderr);
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        for (Handler handler : handlers) {
            root.addHandler(handler);
        }
        root.setLevel(level);
    }

    @Test
    void warningsOfLibrariesAreOneLineOnStderrAndFlywayAndSqliteAreSilent() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Logs.configure();

        Logger library = Logger.getLogger("com.example.library");
        library.info("an info message");
        library.warning("a warning");
        library.log(Level.SEVERE, "a failure", new IllegalStateException("its cause"));
        Logger.getLogger("org.flywaydb.core.internal.command.DbMigrate").severe("Flyway's own failure");
        Logger.getLogger("org.sqlite.util.LibraryLoaderUtil").severe("sqlite-jdbc's own failure");

        assertEquals("crystal-db: a warning\ncrystal-db: a failure\n", captured.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}
