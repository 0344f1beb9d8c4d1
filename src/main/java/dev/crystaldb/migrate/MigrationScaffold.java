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

    public List<Path> create(Path directory, String description) {
        String slug = slug(description);
        if (slug.isEmpty()) {
            throw CrystalDbException.usage("description '" + description + "' has no letters or digits: describe the change, e.g. add avatar url");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot create " + directory + ": " + e.getMessage());
        }
        MigrationSet set = MigrationSet.fromDirectory(directory).requireValid();
        String version = nextVersion(set);
        Path forward = directory.resolve("V" + version + "__" + slug + ".sql");
        Path undo = directory.resolve("U" + version + "__" + slug + ".sql");
        try {
            Files.writeString(forward, "-- " + description + "\n-- Runs inside crystal-db's transaction with the rest of the upgrade.\n\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            Files.writeString(undo, "-- Undo of V" + version + ": restore the schema as it was before it.\n\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            throw CrystalDbException.usage("cannot write the new migration in " + directory + ": " + e.getMessage());
        }
        return List.of(forward, undo);
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
