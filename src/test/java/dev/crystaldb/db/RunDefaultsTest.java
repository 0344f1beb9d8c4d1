package dev.crystaldb.db;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConfig;
import org.sqlite.date.FastDateFormat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.TimeZone;

import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class RunDefaultsTest {
    private final TimeZone zone = TimeZone.getDefault();
    private final Locale locale = Locale.getDefault();

    @AfterEach
    void restore() {
        TimeZone.setDefault(zone);
        Locale.setDefault(locale);
    }

    @Test
    void aConnectionGetsTheDateFormatMadeWithTheClassWhateverTheServersZoneAndLanguage() {
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Moscow"));
        Locale.setDefault(Locale.forLanguageTag("ru-RU"));
        FastDateFormat prepared = FastDateFormat.getInstance(SQLiteConfig.DEFAULT_DATE_STRING_FORMAT, TimeZone.getTimeZone("UTC"), Locale.ROOT);

        RunDefaults.apply();

        // what sqlite-jdbc's SQLiteConnectionConfig asks for: a cache hit, so nothing is made at run time
        assertSame(prepared, FastDateFormat.getInstance(SQLiteConfig.DEFAULT_DATE_STRING_FORMAT));
        assertEquals("UTC", TimeZone.getDefault().getID());
        assertEquals(Locale.ROOT, Locale.getDefault());
    }

    @Test
    void sqlitesOwnTimeIsReadAsUtc(@TempDir Path dir) throws Exception {
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Vladivostok"));
        RunDefaults.apply();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT '2026-12-07 12:00:00.000' AS t")) {
            row.next();
            assertEquals(java.time.Instant.parse("2026-12-07T12:00:00Z"), row.getTimestamp("t").toInstant());
        }
    }
}
