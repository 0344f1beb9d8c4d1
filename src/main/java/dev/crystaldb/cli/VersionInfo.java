package dev.crystaldb.cli;

import dev.crystaldb.ops.InspectService;
import dev.crystaldb.migrate.MigrationSet;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** -V: the tool version, the set this executable carries (name, head, count, checksum) and the SQLite library version. */
public class VersionInfo implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{
                "crystal-db " + toolVersion(),
                bundledSet(),
                "SQLite " + InspectService.sqliteVersion()
        };
    }

    private static String bundledSet() {
        MigrationSet bundled = MigrationSet.bundled();
        return "migrations: " + bundled.origin() + ", " + bundled.summary();
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
