package dev.crystaldb.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared helpers for the process-level tests: run the real crystal-db executable, read what it
 * left in the SQLite file with plain JDBC, and fingerprint files to prove that refusals touch nothing.
 */
final class CrystalDb {
    /** Upper bound for any single crystal-db process in these tests. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Generous room for a process to start and reach its first step on a loaded 2-core machine (a bound, not a measurement). */
    static final Duration STARTUP = Duration.ofSeconds(10);

    /** The environment variables crystal-db reads; removed from every child so the caller's shell cannot leak in. */
    private static final List<String> OWN_ENV = List.of("CRYSTAL_DB", "CRYSTAL_DB_MIGRATIONS", "CRYSTAL_DB_BACKUP_DIR",
            "CRYSTAL_DB_LOCK_TIMEOUT");

    private CrystalDb() {
    }

    static Path executable() {
        String configured = System.getProperty("crystal.db.executable");
        Path path = configured == null || configured.isBlank() ? Path.of("target", "crystal-db") : Path.of(configured);
        path = path.toAbsolutePath();
        assertTrue(Files.isExecutable(path), "crystal-db executable not found at " + path + ": run ./mvnw package first");
        return path;
    }

    /**
     * True for the native executable (./mvnw verify -Dnative), false for the JVM launcher script. The
     * suite runs against both with the same assertions; a test that cannot says why where it checks this.
     */
    static boolean isNative() {
        try (InputStream in = Files.newInputStream(executable())) {
            return !Arrays.equals(in.readNBytes(2), "#!".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- processes

    /**
     * What a finished run left: exit code, both streams, and the wall time it took. The first stderr
     * line that names the migration set ("migrations: ...") is migrations (null when none was
     * printed), not part of stderr.
     */
    record Result(int exitCode, String stdout, String stderr, String migrations, Duration elapsed, List<String> args) {
        List<String> stderrLines() {
            return stderr.lines().filter(line -> !line.isBlank()).toList();
        }

        /** The lines crystal-db prints for an error ("crystal-db: ..."). */
        List<String> errorLines() {
            return stderr.lines().filter(line -> line.startsWith("crystal-db:")).toList();
        }

        String describe() {
            return "crystal-db " + String.join(" ", args) + "\n  exit " + exitCode + " after " + elapsed.toMillis() + " ms"
                    + "\n  --- stdout ---\n" + stdout + "\n  --- stderr ---\n" + (migrations == null ? "" : migrations + "\n") + stderr;
        }
    }

    /** A crystal-db process that is still running; close() kills it if it is. */
    static final class Run implements AutoCloseable {
        private final Process process;
        private final List<String> args;
        private final StringBuffer stdout = new StringBuffer();
        private final StringBuffer stderr = new StringBuffer();
        private final Thread outReader;
        private final Thread errReader;
        private final long startedNanos = System.nanoTime();

        private Run(Process process, List<String> args) {
            this.process = process;
            this.args = args;
            this.outReader = pump(process.getInputStream(), stdout, "stdout");
            this.errReader = pump(process.getErrorStream(), stderr, "stderr");
        }

        private Thread pump(InputStream in, StringBuffer sink, String name) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        sink.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "crystal-db " + name + " reader");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        String stderrSoFar() {
            return stderr.toString();
        }

        /** Waits for the process to end; kills it and fails the test when it takes longer than timeout. */
        Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killTree();
                    fail("crystal-db " + String.join(" ", args) + " did not finish within " + timeout.toSeconds()
                            + " s and was killed\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr);
                }
                long elapsed = System.nanoTime() - startedNanos;
                outReader.join(10_000);
                errReader.join(10_000);
                String err = stderr.toString();
                String migrations = null;
                if (err.startsWith("migrations: ")) {
                    int end = err.indexOf('\n');
                    migrations = err.substring(0, end);
                    err = err.substring(end + 1);
                }
                return new Result(process.exitValue(), stdout.toString(), err, migrations, Duration.ofNanos(elapsed), args);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killTree();
                throw new AssertionError("interrupted while waiting for crystal-db", e);
            }
        }

        Result await() {
            return await(TIMEOUT);
        }

        /** SIGTERM, as systemd stops a unit: to the launcher, which has exec'd java (or to the native executable). */
        void terminate() {
            process.destroy();
        }

        /** SIGKILL to the launcher (which execs java) and to anything it may have started. */
        void killTree() {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            try {
                process.waitFor(30, TimeUnit.SECONDS);
                for (ProcessHandle handle : descendants) {
                    handle.onExit().get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new AssertionError("could not kill crystal-db (pid " + process.pid() + ")", e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                killTree();
            }
        }
    }

    /** Starts crystal-db in workDir with args; env adds CRYSTAL_DB* variables (everything else is inherited). */
    static Run start(Path workDir, Map<String, String> env, String... args) {
        return start(List.of(), workDir, env, args);
    }

    /** As {@link #start(Path, Map, String...)}, run through prefix (e.g. setpriv, to run as another user). */
    static Run start(List<String> prefix, Path workDir, Map<String, String> env, String... args) {
        return startFile(executable(), prefix, workDir, env, args);
    }

    /** As {@link #start(List, Path, Map, String...)}, running another copy of crystal-db (one `bundle` wrote). */
    static Run startFile(Path file, List<String> prefix, Path workDir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(file.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        OWN_ENV.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            process.getOutputStream().close(); // no terminal, no input: crystal-db must not wait for an answer
            return new Run(process, List.of(args));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    static Run start(Path workDir, String... args) {
        return start(workDir, Map.of(), args);
    }

    static Result run(Path workDir, Map<String, String> env, String... args) {
        try (Run run = start(workDir, env, args)) {
            return run.await();
        }
    }

    static Result run(Path workDir, String... args) {
        return run(workDir, Map.of(), args);
    }

    /** Runs file, another copy of crystal-db (one `bundle` wrote), in workDir. */
    static Result runFile(Path file, Path workDir, Map<String, String> env, String... args) {
        try (Run run = startFile(file, List.of(), workDir, env, args)) {
            return run.await();
        }
    }

    /** Runs and insists on exit 0. */
    static Result ok(Path workDir, String... args) {
        Result result = run(workDir, args);
        assertEquals(0, result.exitCode(), () -> "expected success:\n" + result.describe());
        return result;
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    // ---------------------------------------------------------------- output checks

    /** A refusal: exactly one line on stderr, crystal-db's own, no Java stack trace. */
    static void assertOneCleanErrorLine(Result result) {
        List<String> lines = result.stderrLines();
        assertEquals(1, lines.size(), () -> "expected exactly one stderr line:\n" + result.describe());
        assertTrue(lines.get(0).startsWith("crystal-db: "), () -> "stderr line is not crystal-db's own:\n" + result.describe());
        assertNoStackTrace(result);
    }

    /** A failure: exactly one error line of crystal-db's (notices before it are fine), no Java stack trace. */
    static void assertOneErrorLine(Result result) {
        assertEquals(1, result.errorLines().size(), () -> "expected exactly one error line:\n" + result.describe());
        assertNoStackTrace(result);
    }

    static void assertNoStackTrace(Result result) {
        String all = result.stdout() + result.stderr();
        assertFalse(all.contains("\tat "), () -> "stack trace printed:\n" + result.describe());
        assertFalse(all.contains("Exception"), () -> "exception name printed:\n" + result.describe());
    }

    // ---------------------------------------------------------------- the database, read with JDBC

    /** A connection that creates db when it does not exist yet (connect insists it does). */
    static Connection create(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    static Connection connect(Path db) throws SQLException {
        assertTrue(Files.isRegularFile(db), "database " + db + " does not exist");
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    /** Versions recorded as applied (success = 1), in the order they were installed; empty without history. */
    static List<String> appliedVersions(Path db) {
        return query(db, "SELECT version FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL ORDER BY installed_rank",
                "flyway_schema_history");
    }

    /** Every history row as "version:success", in installed order. */
    static List<String> historyRows(Path db) {
        return query(db, "SELECT coalesce(version, '-') || ':' || success FROM flyway_schema_history ORDER BY installed_rank",
                "flyway_schema_history");
    }

    /** The schema as "type|name|sql" rows, ordered by name. */
    static List<String> schema(Path db) {
        return query(db, "SELECT type || '|' || name || '|' || coalesce(sql, '') FROM sqlite_master ORDER BY name", null);
    }

    static boolean tableExists(Path db, String table) {
        return !query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'", null).isEmpty();
    }

    static long count(Path db, String table) {
        return Long.parseLong(query(db, "SELECT count(*) FROM \"" + table + "\"", null).get(0));
    }

    /** PRAGMA integrity_check, joined; "ok" for a sound file. */
    static String integrityCheck(Path db) {
        return String.join("; ", query(db, "PRAGMA integrity_check", null));
    }

    /** The first column of the first row of sql (null when there is no row), e.g. {@code PRAGMA journal_mode}. */
    static String scalar(Path db, String sql) {
        List<String> values = query(db, sql, null);
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * What a query returns, as "rows:SHA-256" over every column of every row in the order given: two databases
     * with the same digest hold the same data.
     */
    static String rowsDigest(Path db, String sql) {
        MessageDigest digest = sha256Digest();
        long rows = 0;
        try (Connection connection = connect(db); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                rows++;
                for (int i = 1; i <= columns; i++) {
                    byte[] value = result.getBytes(i);
                    int length = value == null ? -1 : value.length; // length-prefixed: no two rows encode alike
                    digest.update(new byte[]{(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                    if (value != null) {
                        digest.update(value);
                    }
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("cannot read " + db + " with `" + sql + "`: " + e.getMessage(), e);
        }
        return rows + ":" + HexFormat.of().formatHex(digest.digest());
    }

    /** The first column of every row of sql. */
    static List<String> query(Path db, String sql) {
        return query(db, sql, null);
    }

    private static List<String> query(Path db, String sql, String requiredTable) {
        try (Connection connection = connect(db); Statement statement = connection.createStatement()) {
            if (requiredTable != null) {
                try (ResultSet rows = statement.executeQuery(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '" + requiredTable + "'")) {
                    if (!rows.next()) {
                        return List.of();
                    }
                }
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new AssertionError("cannot read " + db + " with `" + sql + "`: " + e.getMessage(), e);
        }
    }

    /**
     * Creates db with table (id INTEGER PRIMARY KEY, b BLOB) holding rows rows of blobBytes random bytes each (ids
     * 1..rows), in journal mode journalMode ("wal" or "delete"), written in one transaction.
     */
    static void blobDatabase(Path db, String journalMode, String table, long rows, int blobBytes) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=" + journalMode);
            statement.execute("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
            connection.setAutoCommit(false);
            statement.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ")\n"
                    + "INSERT INTO " + table + " (id, b) SELECT i, randomblob(" + blobBytes + ") FROM n");
            connection.commit();
        } catch (SQLException e) {
            throw new AssertionError("cannot create " + db + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- files

    /** The names of the entries of directory (hidden ones included), sorted; empty when it does not exist. */
    static List<String> fileNames(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(directory)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The size of file, 0 when it does not exist (or vanished while looking). */
    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Writes a migration set: alternating file names and contents. Returns the directory. */
    static Path migrations(Path directory, String... namesAndSql) {
        assertEquals(0, namesAndSql.length % 2, "names and SQL must come in pairs");
        try {
            Files.createDirectories(directory);
            for (int i = 0; i < namesAndSql.length; i += 2) {
                Files.writeString(directory.resolve(namesAndSql[i]), namesAndSql[i + 1], StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return directory;
    }

    /**
     * A statement that keeps SQLite busy for a while: a recursive CTE counting to iterations that
     * inserts every fifth number into table (so the transaction also spills pages into the file).
     */
    static String slowInsert(String table, long iterations) {
        return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " + iterations + ")\n"
                + "INSERT INTO " + table + " (id, v) SELECT x, x * 7 FROM c WHERE x % 5 = 0;\n";
    }

    /** SHA-256 of a file's bytes, streamed (databases in these tests reach hundreds of MB). */
    static String sha256(Path file) {
        MessageDigest digest = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file and directory under root: relative path to SHA-256 ("dir" for directories). */
    static Map<String, String> snapshot(Path root) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.filter(p -> !p.equals(root)).toList()) {
                files.put(root.relativize(path).toString(), Files.isDirectory(path) ? "dir" : sha256(path));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The files under root are byte-identical to before; the only new thing allowed is crystal-db's lock file. */
    static void assertUntouched(Map<String, String> before, Path root) {
        Map<String, String> after = snapshot(root);
        Map<String, String> changed = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : after.entrySet()) {
            if (entry.getKey().endsWith(".crystal-db.lock")) {
                continue;
            }
            if (!entry.getValue().equals(before.get(entry.getKey()))) {
                changed.put(entry.getKey(), before.containsKey(entry.getKey()) ? "changed" : "new");
            }
        }
        for (String name : before.keySet()) {
            if (!after.containsKey(name) && !name.endsWith(".crystal-db.lock")) {
                changed.put(name, "removed");
            }
        }
        assertTrue(changed.isEmpty(), () -> "files under " + root + " were touched: " + changed);
    }
}
