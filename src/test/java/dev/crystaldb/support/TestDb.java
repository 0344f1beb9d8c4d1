package dev.crystaldb.support;

import java.io.IOException;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads real SQLite files for assertions: schema, history, rows, bytes. */
public final class TestDb {
    private TestDb() {
    }

    public static Connection connect(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    /** Every schema object but the history table and what crystal-db keeps beside it, as "type name: sql", sorted. */
    public static List<String> schema(Path file) throws SQLException {
        return strings(file, "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master "
                + "WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'flyway_schema_history%' AND name NOT IN ('crystal_db_statement_checksums', 'crystal_db_upgrade_hold') ORDER BY type, name");
    }

    /** The successful versions recorded in flyway_schema_history, in installed order. */
    public static List<String> history(Path file) throws SQLException {
        try (Connection connection = connect(file)) {
            if (!tableExists(connection, "flyway_schema_history")) {
                return List.of();
            }
        }
        return strings(file, "SELECT version || ':' || success FROM flyway_schema_history ORDER BY installed_rank");
    }

    public static List<String> strings(Path file, String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = connect(file); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    public static void execute(Path file, String... statements) throws SQLException {
        try (Connection connection = connect(file); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    public static boolean tableExists(Connection connection, String name) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT 1 FROM sqlite_master WHERE name = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    public static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a fixture migration file. */
    public static Path write(Path directory, String name, String sql) throws IOException {
        Files.createDirectories(directory);
        return Files.writeString(directory.resolve(name), sql, StandardCharsets.UTF_8);
    }

    /** Copies the bundled migrations (the top-level migrations/ folder) into directory. */
    public static Path copyBundled(Path directory) throws IOException {
        Files.createDirectories(directory);
        try (var files = Files.list(Path.of("migrations"))) {
            for (Path file : files.toList()) {
                Files.copy(file, directory.resolve(file.getFileName()));
            }
        }
        return directory;
    }

    /**
     * The bundled migrations with the `-- alembic-revision:` headers of the CrystalBudget Alembic
     * project (src/test/resources/alembic/crystalbudget), as import-alembic writes them: the set
     * that test project's databases are adopted with. The built-in example set has ids of its own.
     */
    public static Path crystalBudgetMigrations(Path directory) throws IOException {
        copyBundled(directory);
        for (int version = 1; version <= Alembic.CRYSTALBUDGET_REVISIONS.size(); version++) {
            try (var files = Files.list(directory)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith("V")).toList()) {
                    String sql = Files.readString(file);
                    Files.writeString(file, sql.replace("-- alembic-revision: crystaldb_example_" + version + "\n",
                            "-- alembic-revision: " + Alembic.CRYSTALBUDGET_REVISIONS.get(version - 1) + "\n"));
                }
            }
        }
        return directory;
    }

    /** The names in directory (hidden ones included), sorted; empty when it does not exist. */
    public static List<String> fileNames(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (var files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A small tmpfs at directory (a disk that can fill); the test is skipped where mounting is not allowed (not root), and fails so under CI=true. */
    public static Path mountTmpfs(Path directory, String size) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", directory.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Safety.assume(mount.waitFor() == 0, "cannot mount a small tmpfs here (needs root): " + output);
        return directory;
    }

    public static void unmount(Path directory) throws IOException, InterruptedException {
        new ProcessBuilder("umount", directory.toString()).redirectErrorStream(true).start().waitFor();
    }

    /** Writes bytes zero bytes into file, as far as the disk lets it (a full disk ends it quietly). */
    public static void fill(Path file, long bytes) {
        try (var out = Files.newOutputStream(file)) {
            byte[] block = new byte[1 << 20];
            for (long written = 0; written < bytes; written += block.length) {
                out.write(block, 0, (int) Math.min(block.length, bytes - written));
            }
        } catch (IOException full) {
            // the disk is full: that is the point
        }
    }
}
