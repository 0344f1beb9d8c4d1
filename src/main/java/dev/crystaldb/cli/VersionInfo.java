package dev.crystaldb.cli;

import dev.crystaldb.db.SqliteQueries;
import dev.crystaldb.migrate.MigrationSet;
import dev.crystaldb.migrate.Version;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** -V: the tool version, the newest bundled migration and the SQLite library version. */
public class VersionInfo implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{
                "crystal-db " + toolVersion(),
                "bundled migrations: head " + MigrationSet.bundled().head().map(Version::toString).orElse("none"),
                "SQLite " + SqliteQueries.libraryVersion()
        };
    }

    /** From build.properties, which Maven filters with the project version. */
    public static String toolVersion() {
        try (InputStream in = VersionInfo.class.getClassLoader().getResourceAsStream("crystal-db/build.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
