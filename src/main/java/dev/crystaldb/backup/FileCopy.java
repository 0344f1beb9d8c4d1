package dev.crystaldb.backup;

import dev.crystaldb.progress.CountingInputStream;
import dev.crystaldb.progress.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Byte copies between open files for backups and restores, reporting the bytes of the source read
 * so far. Both ends are channels the caller opened safely (see SafeDirectory): the target a new
 * private file, the source a regular file opened without following a symlink. Every write is
 * checked: a short copy or a full disk is an IOException, never a silently shorter file.
 */
final class FileCopy {
    /** Large enough for the kernel's file-to-file copy to run at full speed, small enough for smooth progress. */
    private static final long CHUNK = 8L * 1024 * 1024;
    private static final int BUFFER = 1 << 20;

    private FileCopy() {
    }

    /** in into out, as it is; done in the kernel (copy_file_range / sendfile) where it can be. */
    static void copy(FileChannel in, FileChannel out, Progress progress, String description) throws IOException {
        long size = in.size();
        AtomicLong done = new AtomicLong();
        try (Progress.Step step = progress.start(description, size, done::get)) {
            long position = 0;
            while (position < size) {
                long copied = in.transferTo(position, Math.min(CHUNK, size - position), out);
                if (copied <= 0) {
                    throw new IOException("the source ended at byte " + position + " of " + size + " while it was copied");
                }
                position += copied;
                done.set(position);
            }
        }
        if (out.size() != size) {
            throw new IOException("the copy has " + out.size() + " bytes, the source " + size);
        }
    }

    /** The gzip data of in, decompressed into out; progress counts the compressed bytes read. */
    static void gunzip(FileChannel in, FileChannel out, Progress progress, String description) throws IOException {
        try (CountingInputStream raw = new CountingInputStream(Channels.newInputStream(in));
             InputStream unzipped = new GZIPInputStream(raw, BUFFER);
             Progress.Step step = progress.start(description, in.size(), raw::count)) {
            copyStream(unzipped, Channels.newOutputStream(out));
        }
    }

    /** in compressed with gzip into out. */
    static void gzip(FileChannel in, FileChannel out, Progress progress, String description) throws IOException {
        try (CountingInputStream raw = new CountingInputStream(Channels.newInputStream(in));
             Progress.Step step = progress.start(description, in.size(), raw::count)) {
            GZIPOutputStream zipped = new GZIPOutputStream(Channels.newOutputStream(out), BUFFER);
            copyStream(raw, zipped);
            zipped.finish(); // writes the trailer; the caller closes the channel
            zipped.flush();
        }
    }

    private static void copyStream(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
        out.flush();
    }
}
