package dev.crystaldb.it;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.sqlite.SQLiteConfig;

/**
 * A web app as most are written: a connection per request, one transaction, closed again. In a
 * process of its own it commits one row per transaction every few milliseconds and, only once
 * COMMIT has returned, appends the row's id to a log file (fsynced): every id in the log was
 * reported to its user as saved. It stops when the stop file appears.
 */
final class CommittingWriter implements AutoCloseable {
    private final Process process;
    private final Path stopFile;
    private final Path log;

    private CommittingWriter(Process process, Path stopFile, Path log) {
        this.process = process;
        this.stopFile = stopFile;
        this.log = log;
    }

    /** Starts committing to table (id INTEGER PRIMARY KEY) of db every 20 ms; ids go to log. */
    static CommittingWriter start(Path db, String table, Path log) {
        return start(db, table, log, 20);
    }

    /** As {@link #start(Path, String, Path)}, a transaction every pauseMillis. */
    static CommittingWriter start(Path db, String table, Path log, int pauseMillis) {
        Path stopFile = Path.of(log + ".stop");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", CrashingWriter.classPath(), CommittingWriter.class.getName(), db.toAbsolutePath().toString(), table, log.toString(), stopFile.toString(),
                Integer.toString(pauseMillis)));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Path.of(log + ".out").toFile()).start();
            process.getOutputStream().close();
            return new CommittingWriter(process, stopFile, log);
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command, e);
        }
    }

    /** The ids whose COMMIT returned so far. */
    List<Long> committed() {
        try {
            return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> !l.isBlank()).map(Long::parseLong).toList() : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Stops the writer after its current transaction. */
    @Override
    public void close() {
        try {
            Files.writeString(stopFile, "stop");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:sqlite:" + args[0];
        String table = args[1];
        Path log = Path.of(args[2]);
        Path stop = Path.of(args[3]);
        int pauseMillis = Integer.parseInt(args[4]);
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(1000); // an app waits a few seconds at most; one keeps the test short
        try (FileChannel out = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            for (long id = 1; !Files.exists(stop); id++) {
                boolean committed = false;
                try (Connection connection = config.createConnection(url); Statement statement = connection.createStatement()) {
                    statement.execute("BEGIN IMMEDIATE");
                    statement.execute("INSERT INTO " + table + " (id) VALUES (" + id + ")");
                    statement.execute("COMMIT");
                    committed = true;
                } catch (SQLException e) {
                    // busy (crystal-db holds the write lock) or the file moved: the request failed, its user was told
                }
                if (committed) {
                    out.write(java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
                    out.force(true);
                }
                Thread.sleep(pauseMillis);
            }
        }
    }
}
