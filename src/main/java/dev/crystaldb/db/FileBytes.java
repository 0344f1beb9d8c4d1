package dev.crystaldb.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/** The one way to read bytes at a position of a file: a read may return fewer bytes than asked, so every count is checked. */
public final class FileBytes {
    private FileBytes() {
    }

    /** length bytes of channel from offset; a file that ends sooner is an IOException, never a buffer left half zero. */
    public static byte[] readFully(FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("the file ends before byte " + (offset + length));
            }
        }
        return buffer.array();
    }

    /** The file's first length bytes, or all of it where it is shorter (a header check decides what a short file means). */
    public static byte[] readStart(FileChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // until full or the end of the file
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }
}
