package dev.crystaldb.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one native configuration, which both toolchains build from (native/README.md): runs
 * {@code ./mvnw package -Dnative -Dnative.image.skip=true} in a copy of the project (so the build in
 * this project's target/, which the other tests use, stays as it is) and checks what the image
 * builder is given: the flags of native/README.md in native-image.args, and the bundled migrations
 * in the runner jar together with the resource-config.json that puts them into the executable.
 * The image itself is built and tested by ./mvnw verify -Dnative.
 */
class NativeSourcesIT {
    /** What the project copy needs to build; everything else (target/, bench/, .git) stays behind. */
    private static final List<String> PROJECT_FILES = List.of("pom.xml", "mvnw", ".mvn", "src", "migrations", "native");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    static Path work;

    private static Path project;
    private static Path nativeSources;
    private static List<String> args;
    /** This project's own target/ before the nested build: file -> size and modification time. */
    private static Map<String, String> ownTargetBefore;

    private static Path projectRoot() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    static void buildNativeSources() throws Exception {
        project = work.resolve("crystal-db");
        ownTargetBefore = ownTarget();
        for (String name : PROJECT_FILES) {
            copy(projectRoot().resolve(name), project.resolve(name));
        }
        long started = System.nanoTime();
        // Offline first: the outer build has put every dependency into ~/.m2. Tests are not compiled
        // (-Dmaven.test.skip), the ops files are not generated (-Dexec.skip) and the image is not built
        // (-Dnative.image.skip): the native sources need none of them.
        List<String> command = new ArrayList<>(List.of("./mvnw", "-B", "-q", "-o", "package", "-Dnative",
                "-Dnative.image.skip=true", "-Dmaven.test.skip=true", "-Dexec.skip=true"));
        int exit = maven(command, work.resolve("offline.log"));
        String mode = "offline";
        if (exit != 0) {
            command.remove("-o");
            mode = "online (offline failed, see " + work.resolve("offline.log") + ")";
            exit = maven(command, work.resolve("online.log"));
        }
        String log = Files.readString(work.resolve(mode.startsWith("offline") ? "offline.log" : "online.log"));
        assertEquals(0, exit, "native sources build failed (" + mode + "): " + String.join(" ", command) + "\n" + log);
        System.out.printf("NativeSourcesIT: native sources built %s in %d s%n", mode,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

        nativeSources = project.resolve("target/native-sources");
        Path argsFile = nativeSources.resolve("native-image.args");
        assertTrue(Files.isRegularFile(argsFile), "no " + argsFile + " after the build:\n" + log);
        args = Arrays.asList(Files.readString(argsFile, StandardCharsets.UTF_8).trim().split("\\s+"));
    }

    private static int maven(List<String> command, Path log) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // the outer Maven's view of its own project must not leak into the nested build
        for (String variable : List.of("MAVEN_PROJECTBASEDIR", "MAVEN_BASEDIR", "MAVEN_CMD_LINE_ARGS", "MAVEN_ARGS")) {
            builder.environment().remove(variable);
        }
        Process process = builder.start();
        if (!process.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            fail("native sources build did not finish within " + BUILD_TIMEOUT.toMinutes() + " min:\n" + Files.readString(log));
        }
        return process.exitValue();
    }

    @Test
    void theNativeProfileFlagsReachNativeImage() {
        // set by the native profile of pom.xml (quarkus.native.additional-build-args), see native/README.md
        assertTrue(args.contains("--static-nolibc"), "--static-nolibc missing: " + args);
        assertTrue(args.contains("-march=compatibility"), "-march=compatibility missing: " + args);
        // set by Quarkus itself
        assertTrue(args.contains("--no-fallback"), "--no-fallback missing (a fallback image would need a JVM): " + args);
        assertTrue(args.contains("--link-at-build-time"), "--link-at-build-time missing: " + args);
        // a fully static (musl) executable could not dlopen sqlite-jdbc's JNI library
        assertFalse(args.contains("--static"), "fully static build requested: " + args);
        assertFalse(args.stream().anyMatch(arg -> arg.startsWith("--libc")), "another libc requested: " + args);
        // SQLite's JNI library goes to target/native-build/lib, from where the executable embeds it, not into the
        // image as a resource to be unpacked at run time
        assertTrue(args.contains("-J-Dorg.sqlite.lib.exportPath=" + project.resolve("target/native-build/lib")),
                "sqlite-jdbc's library is not exported to target/native-build/lib: " + args);
        assertTrue(args.contains("-R:MaxNewSize=8388608"), "the young generation is not capped (native/README.md): " + args);
        assertTrue(args.contains("--initialize-at-build-time=dev.crystaldb.migrate.BuildResources"),
                "the built-in set would be looked up as resources at every run (native/README.md): " + args);
        assertTrue(args.contains("--initialize-at-build-time=dev.crystaldb.cli.NativeCommandTree"),
                "picocli's model would be built by reflection at every run (native/README.md): " + args);
        assertTrue(args.contains("--initialize-at-build-time=dev.crystaldb.db.RunDefaults"),
                "sqlite-jdbc's date format would be made at every connection (native/README.md): " + args);
        assertTrue(args.contains("-H:+LocalizationOptimizedMode"), "the locale data would be unpacked at every connection (native/README.md): " + args);
        int jar = args.indexOf("-jar");
        assertTrue(jar >= 0 && jar + 1 < args.size() && args.get(jar + 1).equals("crystal-db-runner.jar"),
                "the image is not built from crystal-db-runner.jar: " + args);
    }

    @Test
    void theRunnerJarCarriesTheBundledMigrationsAndTheirIndex() throws IOException {
        List<String> expected = projectMigrations();
        assertFalse(expected.isEmpty(), "the project has no migrations/*.sql");
        try (ZipFile jar = new ZipFile(nativeSources.resolve("crystal-db-runner.jar").toFile())) {
            ZipEntry index = jar.getEntry("crystal-db/migrations/index.txt");
            assertNotNull(index, "crystal-db/migrations/index.txt is not in the runner jar");
            List<String> listed = new String(read(jar, index), StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(line -> !line.isEmpty()).sorted().toList();
            assertEquals(expected, listed, "index.txt does not list exactly the project's migrations/*.sql");
            assertTrue(listed.stream().anyMatch(name -> name.matches("V.+__.+\\.sql")), "no V*.sql migration: " + listed);
            for (String name : expected) {
                ZipEntry entry = jar.getEntry("crystal-db/migrations/" + name);
                assertNotNull(entry, "crystal-db/migrations/" + name + " is not in the runner jar");
                assertArrayEquals(Files.readAllBytes(projectRoot().resolve("migrations").resolve(name)), read(jar, entry),
                        name + " in the runner jar differs from migrations/" + name);
            }
        }
    }

    /**
     * How Quarkus 3.33 hands quarkus.native.resources.includes=crystal-db/** to native-image: not as
     * an -H:IncludeResources argument but as an include pattern in
     * META-INF/native-image/resource-config.json inside the runner jar, which native-image reads
     * from its class path. Every migration resource and the index must match one of its patterns.
     */
    @Test
    void theResourceConfigPutsTheMigrationsIntoTheImage() throws IOException {
        List<Pattern> includes;
        try (ZipFile jar = new ZipFile(nativeSources.resolve("crystal-db-runner.jar").toFile())) {
            ZipEntry config = jar.getEntry("META-INF/native-image/resource-config.json");
            assertNotNull(config, "META-INF/native-image/resource-config.json is not in the runner jar");
            includes = includePatterns(new String(read(jar, config), StandardCharsets.UTF_8));
        }
        assertFalse(includes.isEmpty(), "resource-config.json has no include patterns");
        List<String> resources = new ArrayList<>(List.of("crystal-db/migrations/index.txt", "crystal-db/build.properties"));
        projectMigrations().forEach(name -> resources.add("crystal-db/migrations/" + name));
        for (String resource : resources) {
            assertTrue(includes.stream().anyMatch(pattern -> pattern.matcher(resource).matches()),
                    resource + " matches no include pattern of resource-config.json: " + includes);
        }
    }

    @Test
    void theProjectsOwnTargetIsNotTouched() throws IOException {
        // the nested build ran in a copy: the JVM build in this project's target/ is as it was
        assertEquals(ownTargetBefore, ownTarget(), "the nested build changed this project's target/");
    }

    /** The files the other tests and the native build itself would touch in this project's target/. */
    private static Map<String, String> ownTarget() throws IOException {
        Map<String, String> files = new TreeMap<>();
        for (String name : List.of("crystal-db", "quarkus-app/quarkus-run.jar", "native-sources/native-image.args",
                "native-sources/crystal-db-runner.jar")) {
            Path file = projectRoot().resolve("target").resolve(name);
            files.put(name, Files.exists(file) ? Files.size(file) + " bytes, " + Files.getLastModifiedTime(file) : "absent");
        }
        return files;
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> projectMigrations() throws IOException {
        try (Stream<Path> files = Files.list(projectRoot().resolve("migrations"))) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".sql")).sorted().toList();
        }
    }

    private static byte[] read(ZipFile jar, ZipEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    /** The "pattern" strings under resources.includes, as regular expressions (GraalVM's format). */
    static List<Pattern> includePatterns(String json) {
        int includes = json.indexOf("\"includes\"");
        assertTrue(includes >= 0, "resource-config.json has no includes: " + json);
        int start = json.indexOf('[', includes);
        int end = json.indexOf(']', start);
        Matcher matcher = Pattern.compile("\"pattern\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json.substring(start, end + 1));
        List<Pattern> patterns = new ArrayList<>();
        while (matcher.find()) {
            patterns.add(Pattern.compile(unescapeJson(matcher.group(1))));
        }
        return patterns;
    }

    private static String unescapeJson(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }

    private static void copy(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(file).toString());
                Files.createDirectories(to.getParent());
                Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
