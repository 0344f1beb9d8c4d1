package dev.crystaldb.migrate;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What the build put into the executable: crystal-db's version, the built-in migration set (its
 * name and files, listed in crystal-db/migrations/index.txt since a native image cannot list a
 * resource directory) and the Python helper of `import-alembic`. Read once, when this class is initialized, which in the native executable
 * is while the image is built (--initialize-at-build-time in pom.xml): a native image's resource
 * look-up at run time costs milliseconds each, and the seven of every run were 40 % of a no-op
 * `upgrade`. A resource missing from the build fails the build, not a run.
 */
public final class BuildResources {
    private static final String ROOT = "crystal-db/";
    private static final String MIGRATIONS_ROOT = ROOT + "migrations/";

    private static final Properties BUILD = properties(read(ROOT + "build.properties"));
    /** crystal-db's version (the Maven project's). */
    public static final String VERSION = BUILD.getProperty("version", "unknown");
    /** The built-in set's name (the Maven property crystal.db.migrations.name). */
    static final String MIGRATIONS_NAME = BUILD.getProperty("migrations.name", "migrations");
    /** The built-in set's files: their texts by file name, in the order of index.txt. */
    static final Map<String, String> MIGRATIONS = migrations();
    /** The script `import-alembic` runs with the app's Python. */
    public static final String ALEMBIC_HELPER = read(ROOT + "alembic/import_alembic.py");

    private BuildResources() {
    }

    private static Map<String, String> migrations() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : read(MIGRATIONS_ROOT + "index.txt").split("\\R")) {
            if (!name.isBlank()) {
                files.put(name.trim(), read(MIGRATIONS_ROOT + name.trim()));
            }
        }
        return Collections.unmodifiableMap(files);
    }

    private static Properties properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read crystal-db/build.properties", e);
        }
        return properties;
    }

    private static String read(String name) {
        try (InputStream in = BuildResources.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
