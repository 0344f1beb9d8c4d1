package dev.crystaldb.cli;

import dev.crystaldb.ops.InspectService;
import dev.crystaldb.migrate.BuildResources;
import dev.crystaldb.migrate.MigrationSet;
import picocli.CommandLine.IVersionProvider;

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

    /** The project's version, which Maven writes into build.properties. */
    public static String toolVersion() {
        return BuildResources.VERSION;
    }
}
