package dev.crystaldb.backup;

import dev.crystaldb.progress.CountingInputStream;
import dev.crystaldb.progress.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Byte copies between files for backups and restores, reporting the bytes of the source read so
 * far. The target is always a new file this copy creates, 0600 from the start: never an existing
 * name, and never followed through a symlink someone put there (a root run in a directory another
 * user can write must not write through a link into, say, /etc/shadow).
 */
final class FileCopy {
    /** Large enough for the kernel's file-to-file copy to run at full speed, small enough for smooth progress. */
    private static final long CHUNK = 8L * 1024 * 1024;
    private static final int BUFFER = 1 << 20;

    private FileCopy() {
    }

    /** The new private file: fails when anything, a symlink included, already has the name. */
    static FileChannel createPrivate(Path target) throws IOException {
        return FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** source into target, as it is; done in the kernel (copy_file_range / sendfile) where it can be. */
    static void copy(Path source, Path target, Progress progress, String description) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = createPrivate(target)) {
            long size = in.size();
            AtomicLong done = new AtomicLong();
            try (Progress.Step step = progress.start(description, size, done::get)) {
                long position = 0;
                while (position < size) {
                    long copied = in.transferTo(position, Math.min(CHUNK, size - position), out);
                    if (copied <= 0) {
                        throw new IOException(source + " ended at byte " + position + " of " + size + " while it was copied");
                    }
                    position += copied;
                    done.set(position);
                }
            }
        }
    }

    /** The gzip file source, decompressed into target; progress counts the compressed bytes read. */
    static void gunzip(Path source, Path target, Progress progress, String description) throws IOException {
        try (CountingInputStream raw = new CountingInputStream(Files.newInputStream(source));
             InputStream in = new GZIPInputStream(raw, BUFFER);
             OutputStream out = Channels.newOutputStream(createPrivate(target));
             Progress.Step step = progress.start(description, Files.size(source), raw::count)) {
            copyStream(in, out);
        }
    }

    /** source compressed with gzip into target. */
    static void gzip(Path source, Path target, Progress progress, String description) throws IOException {
        try (CountingInputStream in = new CountingInputStream(Files.newInputStream(source));
             OutputStream file = Channels.newOutputStream(createPrivate(target));
             OutputStream out = new GZIPOutputStream(file, BUFFER);
             Progress.Step step = progress.start(description, Files.size(source), in::count)) {
            copyStream(in, out);
        }
    }

    private static void copyStream(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
    }
}
