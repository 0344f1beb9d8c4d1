package dev.crystaldb.migrate;

import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

import java.io.Reader;
import java.io.StringReader;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands crystal-db's own list of forward scripts to Flyway, so Flyway never scans the classpath
 * (which a native image cannot do) and never sees the U scripts. Each script is given in its
 * runnable form (see {@link MigrationScript}).
 */
final class MigrationResources implements ResourceProvider {
    private final Map<String, LoadableResource> byName = new LinkedHashMap<>();

    MigrationResources(MigrationSet migrations) {
        for (MigrationFile file : migrations.forwards()) {
            byName.put(file.fileName(), new Script(migrations.origin(), file.fileName(), migrations.script(file).runnableSql()));
        }
    }

    @Override
    public LoadableResource getResource(String name) {
        return byName.get(name);
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        List<String> endings = Arrays.asList(suffixes);
        return byName.values().stream()
                .filter(r -> r.getFilename().startsWith(prefix) && endings.stream().anyMatch(r.getFilename()::endsWith))
                .toList();
    }

    private static final class Script extends LoadableResource {
        private final String origin;
        private final String name;
        private final String sql;

        Script(String origin, String name, String sql) {
            this.origin = origin;
            this.name = name;
            this.sql = sql;
        }

        @Override
        public Reader read() {
            return new StringReader(sql);
        }

        @Override
        public String getAbsolutePath() {
            return origin + "/" + name;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return getAbsolutePath();
        }

        @Override
        public String getFilename() {
            return name;
        }

        @Override
        public String getRelativePath() {
            return name;
        }
    }
}
