package dev.crystaldb.backup;

import dev.crystaldb.db.FileBytes;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.errors.Failures;
import dev.crystaldb.schema.SchemaReader;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The one check of a database copy: a backup just written, a backup listed, a backup about to be
 * restored. A copy is sound only when it is a whole SQLite file, whatever its name says: not empty,
 * SQLite's header, a size that holds every page the header counts, readable by SQLite (read-only),
 * and, as deep as asked, its pages checked. An empty file passes PRAGMA quick_check ("ok"), so the
 * header and the page count are checked first.
 */
public final class CopyCheck {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_BYTES = 100;

    /** How far to read: the header and SQLite's own view; then every page (quick_check); then every index too (integrity_check). */
    public enum Depth { HEADER, PAGES, FULL }

    /** What a sound copy holds: its page size and count, and its schema (type, name and SQL of every object). */
    public record Facts(long pageSize, long pageCount, String schema) {
        /** Reads them through a connection, inside whatever read transaction it holds. */
        static Facts of(Connection connection) throws SQLException {
            return new Facts(Long.parseLong(SqliteQueries.scalar(connection, "PRAGMA page_size")),
                    Long.parseLong(SqliteQueries.scalar(connection, "PRAGMA page_count")), SchemaReader.signature(connection));
        }
    }

    /** Why a file is not a sound copy: one sentence, for `backups` (UNREADABLE) and for refusals. */
    public static final class Unsound extends Exception {
        Unsound(String reason) {
            super(reason);
        }
    }

    private CopyCheck() {
    }

    /** The copy's facts, once it has passed the check to the given depth. */
    public static Facts check(Path file, Depth depth) throws Unsound {
        long size = checkHeader(file);
        try (Connection connection = SqliteDatabase.ownFile(file, Duration.ofSeconds(5)).openReadOnly()) {
            Facts facts = Facts.of(connection);
            if (facts.pageCount() < 1 || facts.pageCount() * facts.pageSize() > size) {
                throw new Unsound("truncated: SQLite counts " + facts.pageCount() + " pages of " + facts.pageSize()
                        + " bytes, the file has " + size + " bytes");
            }
            if (depth != Depth.HEADER) {
                List<String> problems = SqliteQueries.integrityProblems(connection, depth == Depth.PAGES);
                if (!problems.isEmpty()) {
                    throw new Unsound("damaged: " + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
                }
            }
            return facts;
        } catch (SQLException | RuntimeException e) {
            throw new Unsound("SQLite cannot read it: " + Failures.firstLine(e));
        }
    }

    /** The file's size, once its first 100 bytes are SQLite's header and its size covers what the header counts. */
    public static long checkHeader(Path file) throws Unsound {
        byte[] bytes;
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            size = channel.size();
            bytes = FileBytes.readStart(channel, HEADER_BYTES);
        } catch (IOException e) {
            throw new Unsound("cannot be read: " + e.getMessage());
        }
        if (size == 0) {
            throw new Unsound("empty (0 bytes)");
        }
        if (bytes.length < HEADER_BYTES || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new Unsound("not an SQLite database (no SQLite header)");
        }
        int rawPageSize = ((bytes[16] & 0xff) << 8) | (bytes[17] & 0xff);
        long pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
        if (pageSize < 512 || pageSize > 65536 || Long.bitCount(pageSize) != 1) {
            throw new Unsound("not an SQLite database (page size " + rawPageSize + " in its header)");
        }
        if (size % pageSize != 0) {
            throw new Unsound("truncated: " + size + " bytes is not a whole number of " + pageSize + "-byte pages");
        }
        long pages = readInt(bytes, 28);
        boolean pagesValid = readInt(bytes, 24) == readInt(bytes, 92); // SQLite trusts the count only then
        boolean wal = bytes[18] == 2;                                  // pages may still be in a -wal beside it
        if (pagesValid && !wal && pages * pageSize > size) {
            throw new Unsound("truncated: its header counts " + pages + " pages (" + pages * pageSize + " bytes), the file has " + size);
        }
        return size;
    }

    private static long readInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xffL) << 24) | ((bytes[offset + 1] & 0xffL) << 16) | ((bytes[offset + 2] & 0xffL) << 8) | (bytes[offset + 3] & 0xffL);
    }
}
