package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Creates the next V/U pair: the next whole number, or a UTC timestamp when the set uses timestamps. */
public final class MigrationScaffold {
    /** Versions this large are timestamps (yyyyMMddHHmmss has 14 digits). */
    private static final BigInteger TIMESTAMP_FLOOR = new BigInteger("10000000000000");

    private final Clock clock;

    public MigrationScaffold(Clock clock) {
        this.clock = clock;
    }

    /** The names the next pair gets, in a migrations directory that exists and holds a valid set. */
    public record NextPair(MigrationSet migrations, String version, Path forward, Path undo) {
    }

    /** Works out the next pair's names; refuses (exit 2) a description without letters, a missing directory or an invalid set. */
    public NextPair next(Path directory, String description) {
        String slug = slug(description);
        if (slug.isEmpty()) {
            throw CrystalDbException.usage("description '" + description + "' has no letters or digits: describe the change, e.g. add avatar url");
        }
        if (!Files.isDirectory(directory)) {
            Path absolute = directory.toAbsolutePath().normalize();
            throw CrystalDbException.usage("there is no migrations directory " + absolute + ": run crystal-db new in the project that holds "
                    + "migrations/, or pass --migrations DIR (for a new project, create it first: mkdir " + absolute + ")");
        }
        MigrationSet set = MigrationSet.fromDirectory(directory).requireValid();
        String version = nextVersion(set);
        return new NextPair(set, version, directory.resolve("V" + version + "__" + slug + ".sql"), directory.resolve("U" + version + "__" + slug + ".sql"));
    }

    /** The pair as a template to fill in: it holds the line lint and upgrade refuse until the SQL is written. */
    public List<Path> create(Path directory, String description) {
        NextPair pair = next(directory, description);
        String todo = "-- " + MigrationScript.UNWRITTEN_MARKER + ". Write the SQL below, then delete this line (crystal-db refuses the file until then).\n";
        return write(pair,
                "-- " + description + "\n-- Runs inside crystal-db's transaction with the rest of the upgrade.\n" + todo + "\n",
                "-- Undo of V" + pair.version() + ": restore the schema as it was before it.\n" + todo + "\n");
    }

    /** Writes both files, neither over an existing one; when the second cannot be written the first is removed again. */
    public List<Path> write(NextPair pair, String forwardSql, String undoSql) {
        try {
            Files.writeString(pair.forward(), forwardSql, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot write " + pair.forward() + ": " + e.getMessage(), e);
        }
        try {
            Files.writeString(pair.undo(), undoSql, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(pair.forward());
            } catch (IOException ignored) {
                // the message below names the problem; a lone V file is what lint would then report
            }
            throw CrystalDbException.failed("cannot write " + pair.undo() + ": " + e.getMessage() + "; nothing was written", e);
        }
        return List.of(pair.forward(), pair.undo());
    }

    /** A description as a file name's part: lower case, letters and digits of any script, runs of anything else as one '_'. */
    public static String slug(String description) {
        return description.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "_").replaceAll("^_+|_+$", "");
    }

    private String nextVersion(MigrationSet set) {
        Version head = set.head().orElse(null);
        if (head != null && head.major().compareTo(TIMESTAMP_FLOOR) >= 0) {
            String stamp = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(clock.instant());
            BigInteger next = new BigInteger(stamp).max(head.major().add(BigInteger.ONE));
            return next.toString();
        }
        return head == null ? "1" : head.major().add(BigInteger.ONE).toString();
    }
}
