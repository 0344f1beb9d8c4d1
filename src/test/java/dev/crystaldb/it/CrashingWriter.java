package dev.crystaldb.it;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app that commits to a WAL database and then dies without closing it, in a process of its own: its committed
 * changes stay in the -wal file (SQLite checkpoints and removes the WAL only when the last connection closes).
 * That is the state an app killed by the OOM killer or by `systemctl kill` leaves behind.
 */
final class CrashingWriter {
    private CrashingWriter() {
    }

    /** Runs the statements on db in a separate JVM, which then halts with its connection open. */
    static void commitAndDie(Path db, String... statements) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), CrashingWriter.class.getName(), db.toAbsolutePath().toString()));
        command.addAll(List.of(statements));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the crashing writer did not finish");
            String output = new String(process.getInputStream().readAllBytes());
            assertEquals(0, process.exitValue(), () -> "the crashing writer failed:\n" + output);
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The class path of a helper process: the test classes and sqlite-jdbc. */
    static String classPath() {
        try {
            return Path.of(CrashingWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + System.getProperty("path.separator")
                    + Path.of(org.sqlite.JDBC.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + args[0]);
        Statement statement = connection.createStatement();
        statement.execute("PRAGMA wal_autocheckpoint=0"); // everything stays in the WAL
        for (int i = 1; i < args.length; i++) {
            statement.execute(args[i]);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0); // no close, no checkpoint
    }
}
