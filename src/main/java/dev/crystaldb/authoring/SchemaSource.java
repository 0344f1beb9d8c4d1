package dev.crystaldb.authoring;

import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.MigrationScript;
import dev.crystaldb.migrate.SchemaTimeline;
import dev.crystaldb.migrate.SqlSplitter;
import dev.crystaldb.migrate.SqlStatement;
import dev.crystaldb.schema.SchemaFingerprint;
import dev.crystaldb.schema.SchemaReader;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;

/**
 * The schema `new --from` is given: a .sql file of CREATE statements, run on a scratch database
 * in memory, or an SQLite database (the dev database the app's models made), opened read-only
 * and never changed. Anything else is refused with one line.
 */
final class SchemaSource {
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /** What was read: the objects to write SQL from and the fingerprint to prove against. */
    record Schema(SchemaObjects objects, SchemaFingerprint fingerprint) {
    }

    private SchemaSource() {
    }

    static Schema read(Path path) {
        if (!Files.exists(path)) {
            throw CrystalDbException.usage("SCHEMA " + path + " does not exist: pass a .sql file of CREATE statements or an SQLite database");
        }
        if (!Files.isRegularFile(path)) {
            throw CrystalDbException.usage("SCHEMA " + path + " is not a regular file: pass a .sql file of CREATE statements or an SQLite database");
        }
        if (!Files.isReadable(path)) {
            throw CrystalDbException.usage("cannot read SCHEMA " + path + ": permission denied");
        }
        byte[] header = header(path);
        if (header.length >= SQLITE_HEADER.length && Arrays.equals(Arrays.copyOf(header, SQLITE_HEADER.length), SQLITE_HEADER)) {
            return fromDatabase(path, header);
        }
        if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".sql")) {
            return fromSqlFile(path);
        }
        throw CrystalDbException.usage("SCHEMA " + path + " is neither an SQLite database nor a .sql file: pass the dev database "
                + "(the one create_all made, for one) or a .sql file of CREATE statements (sqlite3 DB .schema > schema.sql)");
    }

    /** The first 20 bytes of the file, or fewer when it is shorter. */
    private static byte[] header(Path path) {
        // no SQLite connection to this file exists yet, so reading it with plain Java I/O drops no lock
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(20);
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot read SCHEMA " + path + ": " + e.getMessage());
        }
    }

    /**
     * Read-only, and so that nothing appears beside it either: a WAL database without a -wal file
     * has nothing in a WAL, so it is opened immutable (a plain read-only open would create -wal and
     * -shm files); one with a -wal file is read with it, as any reader would.
     */
    private static Schema fromDatabase(Path path, byte[] header) {
        boolean wal = header.length >= 20 && header[18] == 2;
        boolean walFile = Files.exists(Path.of(path + "-wal"));
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setBusyTimeout(5000);
        String url = wal && !walFile ? "jdbc:sqlite:" + path.toAbsolutePath().toUri() + "?immutable=1" : "jdbc:sqlite:" + path;
        try (Connection connection = config.createConnection(url)) {
            return read(connection);
        } catch (SQLException e) {
            if (SqliteFailure.of(e) == SqliteFailure.HOT_JOURNAL) {
                throw CrystalDbException.usage("SCHEMA " + path + " was left in the middle of a transaction by a program that stopped (hot journal "
                        + path.getFileName() + "-journal), which a read-only open cannot roll back; open it once with the app or sqlite3, then run again");
            }
            throw CrystalDbException.usage("cannot read the schema of " + path + " read-only: " + e.getMessage());
        }
    }

    private static Schema fromSqlFile(Path path) {
        String sql;
        try {
            sql = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(path))).toString();
        } catch (CharacterCodingException e) {
            throw CrystalDbException.usage("SCHEMA " + path + " is not UTF-8 text: pass a .sql file of CREATE statements or an SQLite database");
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot read SCHEMA " + path + ": " + e.getMessage());
        }
        String name = path.getFileName().toString();
        try (Connection scratch = SchemaTimeline.inMemory(); Statement statement = scratch.createStatement()) {
            for (SqlStatement sqlStatement : SqlSplitter.split(sql.startsWith("\uFEFF") ? sql.substring(1) : sql)) {
                if (MigrationScript.isDropped(sqlStatement) || internalTable(sqlStatement)) {
                    continue; // BEGIN/COMMIT/PRAGMA foreign_keys and sqlite_sequence, as sqlite3's .schema and .dump write them
                }
                if (!sqlStatement.firstWord().equals("CREATE")) {
                    throw CrystalDbException.usage(name + " line " + sqlStatement.line() + ": " + sqlStatement.firstWord()
                            + " is not a CREATE statement; SCHEMA holds the schema only (sqlite3 DB .schema > schema.sql writes one)");
                }
                try {
                    statement.execute(sqlStatement.text());
                } catch (SQLException e) {
                    throw CrystalDbException.usage(name + " line " + sqlStatement.line() + ": " + e.getMessage());
                }
            }
            return read(scratch);
        } catch (SQLException e) {
            throw CrystalDbException.failed("cannot open a scratch database for " + name + ": " + e.getMessage(), e);
        }
    }

    private static boolean internalTable(SqlStatement statement) {
        return statement.text().matches("(?is)\\s*CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?[\"`\\[]?sqlite_.*");
    }

    private static Schema read(Connection connection) throws SQLException {
        return new Schema(SchemaObjects.read(connection), new SchemaReader().read(connection));
    }
}
