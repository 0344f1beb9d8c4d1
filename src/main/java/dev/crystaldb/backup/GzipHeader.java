package dev.crystaldb.backup;

import dev.crystaldb.db.FileBytes;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** The cheap check of a .db.gz backup: gzip's magic bytes and room for its header and trailer. */
final class GzipHeader {
    private static final int SMALLEST_GZIP = 18;

    private GzipHeader() {
    }

    static Optional<String> problem(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (channel.size() == 0) {
                return Optional.of("empty (0 bytes)");
            }
            byte[] magic = FileBytes.readStart(channel, 2);
            if (channel.size() < SMALLEST_GZIP || magic.length < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
                return Optional.of("not a gzip file");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot be read: " + e.getMessage());
        }
    }
}
