package dev.crystaldb.backup;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Backup file names: {@code <stem>_YYYYMMDD_HHMMSS[-N][_reason].db[.gz]}, in UTC so names sort by
 * time; -N separates two backups taken in the same second.
 */
public record BackupName(String stem, Instant time, int sequence, String reason, boolean compressed) {
    /** The reason of a backup taken by hand: a `backup` run without a rule for scheduled backups. */
    public static final String MANUAL = "manual";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("(.+)_(\\d{8}_\\d{6})(?:-(\\d+))?(?:_([a-z][a-z0-9-]*))?\\.db(\\.gz)?");

    /** The stem of a database file: budget.db, budget.sqlite and budget.sqlite3 all give "budget". */
    public static String stemOf(String databaseFileName) {
        return databaseFileName.replaceFirst("\\.(db|sqlite3?|db3)$", "");
    }

    public String fileName() {
        return stem + "_" + STAMP.format(time) + (sequence > 1 ? "-" + sequence : "")
                + (reason == null ? "" : "_" + reason) + ".db" + (compressed ? ".gz" : "");
    }

    public static Optional<BackupName> parse(String fileName) {
        Matcher matcher = NAME.matcher(fileName);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            Instant time = LocalDateTime.parse(matcher.group(2), DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")).toInstant(ZoneOffset.UTC);
            int sequence = matcher.group(3) == null ? 1 : Integer.parseInt(matcher.group(3));
            return Optional.of(new BackupName(matcher.group(1), time, sequence, matcher.group(4), matcher.group(5) != null));
        } catch (DateTimeException | NumberFormatException e) {
            return Optional.empty(); // month 13 or a sequence past int: crystal-db never wrote it
        }
    }
}
