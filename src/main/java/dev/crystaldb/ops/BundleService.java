package dev.crystaldb.ops;

import dev.crystaldb.db.ScratchDirectory;
import dev.crystaldb.db.FileBytes;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.MigrationArchive;
import dev.crystaldb.migrate.MigrationFile;
import dev.crystaldb.migrate.MigrationLinter;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.RunningExecutable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `bundle`: lints the set (with the undo round trip when it has U files), then writes a copy of
 * the running executable with the set appended (see {@link MigrationArchive}): to a temporary file
 * beside the output, fsynced, read back and checked, made 0755, then renamed into place. The bytes
 * copied are the executable's own, without a set an earlier bundle appended. The native executable
 * carries its libraries inside its ELF image, before anything appended, so the copy is again one
 * file that runs anywhere. A JVM launcher copy gets the absolute path of the application it starts,
 * so it runs from anywhere on this machine.
 */
public final class BundleService {
    /** The launcher's line that finds the application beside it (src/main/launcher/crystal-db.sh). */
    private static final Pattern APPLICATION_LINE = Pattern.compile("(?m)^app=.*$");
    private static final int LONGEST_NAME = 100;

    /** name: the set's name, null for the set's own (its directory's name). */
    public record Request(MigrationSet migrations, String name, Path output, boolean force) {
    }

    /** What was written: the file, its size, the set's name and the set itself, and whether undo scripts were proven. */
    public record Result(Path output, long bytes, String name, MigrationSet migrations, boolean roundTrip) {
    }

    private final Consumer<MigrationLinter.Finding> findings;

    public BundleService(Consumer<MigrationLinter.Finding> findings) {
        this.findings = findings;
    }

    /** Refuses (exit 2) a bad name or output, (exit 4) a set that fails lint; nothing is written then. */
    public Result bundle(Request request) {
        String name = requireName(request.name() != null ? request.name() : request.migrations().name());
        Path output = request.output().toAbsolutePath().normalize();
        Path directory = output.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw CrystalDbException.usage("-o " + request.output() + ": directory " + directory + " does not exist; create it or write elsewhere");
        }
        if (Files.isDirectory(output, LinkOption.NOFOLLOW_LINKS)) {
            throw CrystalDbException.usage("-o " + output + " is a directory: name the file to write, e.g. " + output.resolve(name + "-db"));
        }
        if (Files.exists(output, LinkOption.NOFOLLOW_LINKS) && !request.force()) {
            throw CrystalDbException.usage(output + " exists: give another -o, or --force to replace it");
        }
        RunningExecutable.Executable executable = RunningExecutable.current().orElseThrow(() -> CrystalDbException.usage(
                "bundle copies the crystal-db executable it runs from, and this run has none (a test's JVM?): run the crystal-db executable"));
        MigrationSet migrations = request.migrations();
        boolean roundTrip = migrations.files().stream().anyMatch(f -> f.kind() == MigrationFile.Kind.UNDO);
        List<MigrationLinter.Finding> found = MigrationLinter.lint(migrations, roundTrip);
        found.forEach(findings);
        long errors = found.stream().filter(f -> f.severity() == MigrationLinter.Severity.ERROR).count();
        if (errors > 0) {
            throw CrystalDbException.checkFailed("lint found " + errors + " error(s) in " + migrations.origin() + "; nothing written: fix them, "
                    + "then bundle again (`crystal-db lint" + (roundTrip ? " --round-trip" : "") + "` lists them)");
        }
        migrations.requireHead();
        byte[] archive = MigrationArchive.encode(name, migrations);
        long bytes = write(executable, output, archive, MigrationArchive.trailer(archive), request.force());
        return new Result(output, bytes, name, migrations, roundTrip);
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > LONGEST_NAME || name.chars().anyMatch(c -> c < 0x20 || c == '"' || c == 0x7f)) {
            throw CrystalDbException.usage("--name '" + name + "' cannot name a migration set: use 1 to " + LONGEST_NAME
                    + " characters without quotes or control characters, e.g. --name budget");
        }
        return name.strip();
    }

    private long write(RunningExecutable.Executable executable, Path output, byte[] archive, byte[] trailer, boolean replace) {
        Path directory = output.getParent();
        Path scratch = directory.resolve(ScratchDirectory.newName());
        try {
            try (FileChannel source = FileChannel.open(executable.file(), StandardOpenOption.READ);
                 FileChannel target = FileChannel.open(scratch, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                long length = RunningExecutable.trailer().map(MigrationArchive.Trailer::executableLength).orElse(source.size());
                if (executable.launcher()) {
                    writeAll(target, launcherCopy(executable, source, length));
                } else {
                    for (long copied = 0; copied < length; ) {
                        long moved = source.transferTo(copied, length - copied, target);
                        if (moved <= 0) { // transferTo returns 0 at the end of the file: a file cut short meanwhile
                            throw new IOException(executable.name() + " ended at byte " + copied + " while it was copied");
                        }
                        copied += moved;
                    }
                }
                writeAll(target, archive);
                writeAll(target, trailer);
                target.force(true);
            }
            requireReadsBack(scratch, archive);
            Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (replace) {
                Files.move(scratch, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                moveUnlessTaken(scratch, output);
            }
            syncDirectory(directory);
            return Files.size(output);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot write " + output + ": " + e.getMessage() + "; nothing was written", e);
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // a leftover .crystal-db-*.tmp names what it is
            }
        }
    }

    /** The rename that never replaces a file made meanwhile: a hard link fails if the name is taken. */
    private static void moveUnlessTaken(Path scratch, Path output) throws IOException {
        try {
            Files.createLink(output, scratch);
        } catch (FileAlreadyExistsException e) {
            throw CrystalDbException.usage(output + " exists: give another -o, or --force to replace it");
        }
        Files.delete(scratch);
    }

    /** The launcher's text before any appended set, starting the application at its absolute path. */
    private static byte[] launcherCopy(RunningExecutable.Executable executable, FileChannel source, long length) throws IOException {
        String script = new String(FileBytes.readFully(source, 0, (int) length), StandardCharsets.ISO_8859_1);
        String application = System.getProperty(RunningExecutable.APPLICATION_PROPERTY);
        Matcher line = APPLICATION_LINE.matcher(script);
        if (application == null || !line.find()) {
            throw CrystalDbException.usage(executable.name() + " is not crystal-db's launcher (it has no app= line), so it cannot be bundled");
        }
        Path real = Path.of(application).toRealPath();
        if (real.toString().contains("'")) {
            throw CrystalDbException.usage("the application directory " + real + " has a quote in its path; move it to bundle the JVM build");
        }
        String copy = line.replaceFirst(Matcher.quoteReplacement("app='" + real + "'"));
        return (copy.endsWith("\n") ? copy : copy + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The written file's set, read back as a run would read it. */
    private static void requireReadsBack(Path file, byte[] archive) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            byte[] tail = FileBytes.readFully(channel, size - MigrationArchive.TRAILER_SIZE, MigrationArchive.TRAILER_SIZE);
            MigrationArchive.Trailer trailer = MigrationArchive.readTrailer(file.toString(), size, tail).orElseThrow(
                    () -> new IOException("the file written has no trailer"));
            byte[] written = FileBytes.readFully(channel, trailer.archiveOffset(), (int) trailer.archiveLength());
            MigrationArchive.decode(file.toString(), trailer, written);
            if (!Arrays.equals(archive, written)) {
                throw new IOException("the archive read back differs from the one written");
            }
        }
    }

    private static void writeAll(FileChannel target, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            target.write(buffer);
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // not every file system syncs a directory; the file itself is synced
        }
    }
}
