package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The migration set `crystal-db bundle` appends to an executable: the archive (the set's name and
 * its files), then a fixed-size trailer at the very end of the file that says where the archive
 * starts and what its SHA-256 is. The trailer begins and ends with the same magic, so one damaged
 * byte anywhere in it still leaves it recognisable (and refused) instead of taken for "nothing
 * appended"; a CRC of its fields lets the start-up check read only these bytes.
 *
 * <pre>
 * trailer (72 bytes, big-endian): magic (12) | format (4) | archive length (8) | archive SHA-256 (32) | CRC-32 of the previous 56 bytes (4) | magic (12)
 * archive (format 1): name length (4) | name (UTF-8) | file count (4) | per file: name length (4) | name | text length (4) | text (UTF-8)
 * </pre>
 */
public final class MigrationArchive {
    public static final int TRAILER_SIZE = 72;
    static final int FORMAT = 1;
    private static final byte[] MAGIC = "CRYSTALDBSET".getBytes(StandardCharsets.US_ASCII);
    private static final String DAMAGED_FIX = "write it again with `crystal-db bundle`, or copy the file again from where it was built";

    /** Where an intact trailer says the archive is, in a file of fileSize bytes. */
    public record Trailer(long archiveOffset, long archiveLength, byte[] sha256) {
        /** The bytes before the appended set: the executable itself. */
        public long executableLength() {
            return archiveOffset;
        }
    }

    private MigrationArchive() {
    }

    /** The archive of a set under a name. */
    public static byte[] encode(String name, MigrationSet migrations) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeText(out, name);
            out.writeInt(migrations.files().size());
            for (MigrationFile file : migrations.files()) {
                writeText(out, file.fileName());
                writeText(out, file.sql());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The trailer that follows archive. */
    public static byte[] trailer(byte[] archive) {
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_SIZE);
        trailer.put(MAGIC).putInt(FORMAT).putLong(archive.length).put(MigrationSet.sha256Digest().digest(archive));
        CRC32 crc = new CRC32();
        crc.update(trailer.array(), 0, trailer.position());
        trailer.putInt((int) crc.getValue()).put(MAGIC);
        return trailer.array();
    }

    /**
     * Reads the last TRAILER_SIZE bytes of a file of fileSize bytes (tail; fewer for a smaller
     * file): empty when no set is appended; refuses (exit 4) a trailer that is there but damaged.
     */
    public static Optional<Trailer> readTrailer(String file, long fileSize, byte[] tail) {
        if (tail.length < TRAILER_SIZE) {
            return Optional.empty();
        }
        boolean head = Arrays.equals(tail, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
        boolean end = Arrays.equals(tail, TRAILER_SIZE - MAGIC.length, TRAILER_SIZE, MAGIC, 0, MAGIC.length);
        if (!head && !end) {
            return Optional.empty();
        }
        ByteBuffer trailer = ByteBuffer.wrap(tail);
        trailer.position(MAGIC.length);
        int format = trailer.getInt();
        long length = trailer.getLong();
        byte[] sha = new byte[32];
        trailer.get(sha);
        int recorded = trailer.getInt();
        CRC32 crc = new CRC32();
        crc.update(tail, 0, MAGIC.length + 4 + 8 + 32);
        if (!head || !end || (int) crc.getValue() != recorded) {
            throw damaged(file, "its trailer (the last " + TRAILER_SIZE + " bytes) is damaged");
        }
        if (format != FORMAT) {
            throw damaged(file, "its trailer is of format " + format + ", which this crystal-db (format " + FORMAT + ") cannot read");
        }
        if (length < 0 || length > fileSize - TRAILER_SIZE) {
            throw damaged(file, "its trailer gives an archive of " + length + " bytes in a file of " + fileSize);
        }
        return Optional.of(new Trailer(fileSize - TRAILER_SIZE - length, length, sha));
    }

    /** The set in archive, once its SHA-256 matches the trailer's; refuses (exit 4) anything else. */
    public static MigrationSet decode(String file, Trailer trailer, byte[] archive) {
        if (!MessageDigest.isEqual(MigrationSet.sha256Digest().digest(archive), trailer.sha256())) {
            throw damaged(file, "the SHA-256 of its migration archive does not match its trailer");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(archive))) {
            String name = readText(in);
            int count = in.readInt();
            Map<String, String> files = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                files.put(readText(in), readText(in));
            }
            if (in.available() != 0) {
                throw damaged(file, "its migration archive has " + in.available() + " bytes after its last file");
            }
            return MigrationSet.appended(name, files);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CrystalDbException known) {
                throw known;
            }
            throw damaged(file, "its migration archive cannot be read (" + e.getMessage() + ")");
        }
    }

    private static CrystalDbException damaged(String file, String what) {
        return CrystalDbException.checkFailed("the migration set appended to " + file + " cannot be used: " + what + "; " + DAMAGED_FIX);
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("a length of " + length + " bytes where " + in.available() + " are left");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
