package dev.crystaldb.db;

import org.sqlite.SQLiteConfig;
import org.sqlite.date.FastDateFormat;

import java.util.Locale;
import java.util.TimeZone;

/**
 * The time zone and locale of every run: UTC and the root locale, whatever the server's TZ and
 * LANG. crystal-db writes and shows every time in UTC and formats its text with the root locale, so
 * its own output does not change; sqlite-jdbc reads the two as well, for the date format it makes
 * for every connection (text dates are then read as UTC, which is what SQLite's own 'now' writes).
 * In the native executable that format is made while the image is built (this class is
 * initialized then, --initialize-at-build-time in pom.xml) and sqlite-jdbc finds it in its cache:
 * made at run time, it loaded the JDK's date symbols through the image's locale support, about
 * 3 ms of every run.
 */
public final class RunDefaults {
    private static final TimeZone ZONE = TimeZone.getTimeZone("UTC");
    private static final Locale LOCALE = Locale.ROOT;
    // what sqlite-jdbc's format cache returns for a connection once the defaults below are set
    private static final FastDateFormat SQLITE_DATE_FORMAT = FastDateFormat.getInstance(SQLiteConfig.DEFAULT_DATE_STRING_FORMAT, ZONE, LOCALE);

    private RunDefaults() {
    }

    /** Before anything opens SQLite. */
    public static void apply() {
        TimeZone.setDefault(ZONE);
        Locale.setDefault(LOCALE);
    }
}
