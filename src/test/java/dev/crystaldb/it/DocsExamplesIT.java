package dev.crystaldb.it;

import dev.crystaldb.support.Safety;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The example sessions of the README, docs/ and CONTRIBUTING.md are the build's own output: each
 * ```text block after a marker
 *
 * <pre>
 * &lt;!-- example: NAME
 *   dir: /srv/app            (the path the temporary directory is shown as; default /tmp/demo)
 *   needs: sqlite3 alembic   (skipped, saying why, where they are missing; failed under CI=true)
 *   setup: SHELL COMMAND     (any number, run first and not shown; $PROJECT is the checkout)
 * --&gt;
 * </pre>
 *
 * has its {@code $ } lines run, in order, by one bash in an empty temporary directory, with the built
 * crystal-db first on the PATH. What each prints (stdout and stderr as a terminal would interleave
 * them), and {@code (exit N)} when it fails, must be what the block shows, up to what varies from run
 * to run: the temporary path (shown as the marker's dir), timestamps, durations, sizes and pids. With
 * {@code -Ddocs.update=true} a block that differs is written anew from the run instead.
 */
class DocsExamplesIT {
    private static final Path PROJECT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final boolean UPDATE = Boolean.getBoolean("docs.update");
    private static final String DEFAULT_DIR = "/tmp/demo";
    private static final String START = "@@crystal-db-docs-example-start@@";
    private static final String END = "@@crystal-db-docs-example-exit ";
    private static final Pattern MARKER = Pattern.compile("<!-- example: ([a-z0-9-]+)");
    /** What varies from run to run, masked on both sides before comparing (longest forms first). */
    private static final List<Map.Entry<Pattern, String>> VARYING = List.of(
            Map.entry(Pattern.compile("\\d{8}_\\d{6}(-\\d+)?"), "<stamp>"),
            Map.entry(Pattern.compile("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2})?Z?"), "<time>"),
            Map.entry(Pattern.compile("\\d+(\\.\\d+)? ?(bytes|B|KiB|MiB|GiB)\\b"), "<size>"),
            Map.entry(Pattern.compile("\\d+(\\.\\d+)? (ms|s)\\b"), "<duration>"),
            Map.entry(Pattern.compile("pid \\d+"), "pid <pid>"),
            Map.entry(Pattern.compile("\\.crystal-db-\\d+-\\d+\\.tmp"), ".crystal-db-<pid>.tmp"));

    /** One marked block: where it is, how to run it, and what it shows. */
    record Example(Path doc, String name, String dir, List<String> needs, List<String> setup, int firstLine, int endLine,
            List<String> shown) {
        @Override
        public String toString() {
            return PROJECT.relativize(doc) + " example " + name;
        }
    }

    /** A command of a block, with the comment lines and the blank line the block shows before it. */
    record Step(List<String> before, String command) {
    }

    // ---------------------------------------------------------------- the examples

    @TestFactory
    Stream<DynamicTest> everyExampleIsWhatTheBuildPrints() throws IOException {
        List<Example> examples = new ArrayList<>();
        for (Path doc : documents()) {
            examples.addAll(examples(doc));
        }
        assertTrue(examples.size() >= 5, "too few examples found: " + examples);
        return examples.stream().map(example -> DynamicTest.dynamicTest(example.toString(), () -> check(example)));
    }

    /** A block that shows a crystal-db session is generated, never hand-written: it needs a marker. */
    @Test
    void everySessionBlockHasAMarker() throws IOException {
        List<String> unmarked = new ArrayList<>();
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).startsWith("```")) {
                    continue;
                }
                int open = i;
                int close = open + 1;
                while (close < lines.size() && !lines.get(close).startsWith("```")) {
                    close++;
                }
                boolean session = lines.subList(open + 1, close).stream().anyMatch(line -> line.startsWith("$ "));
                if (session && !handWritten(lines, open) && (!lines.get(open).equals("```text") || markerAbove(lines, open) < 0)) {
                    unmarked.add(PROJECT.relativize(doc) + " line " + (open + 1));
                }
                i = close;
            }
        }
        assertEquals(List.of(), unmarked, "blocks that show `$ ` commands without an <!-- example: NAME --> marker above a ```text fence");
    }

    /** The README's quick start is two commands, and its test command is the one .ci/run runs. */
    @Test
    void theQuickStartIsTwoCommandsAndCiRunsItsTestCommand() throws IOException {
        String readme = Files.readString(PROJECT.resolve("README.md"), StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("## Quick start\\n[^`]*```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README.md has no ```sh block under ## Quick start");
        List<String> commands = block.group(1).lines().filter(line -> !line.isBlank()).toList();
        assertEquals(2, commands.size(), "the quick start is exactly two commands: " + commands);
        assertTrue(commands.get(0).contains("--db demo.db upgrade --create"), commands.get(0));
        List<String> ci = Files.readAllLines(PROJECT.resolve(".ci/run"), StandardCharsets.UTF_8);
        assertTrue(ci.contains(commands.get(1)), ".ci/run does not run the README's test command `" + commands.get(1) + "`");
    }

    // ---------------------------------------------------------------- running one example

    private static void check(Example example) throws Exception {
        for (String need : example.needs()) {
            Safety.assume(installed(need), need + " is not installed here (.ci/run installs it), so " + example + " is not checked");
        }
        Path root = Files.createTempDirectory("crystal-db-docs-");
        try {
            Path work = Files.createDirectories(root.resolve("demo"));
            Path bin = Files.createDirectories(root.resolve("bin"));
            Files.createSymbolicLink(bin.resolve("crystal-db"), CrystalDb.executable());
            List<Step> steps = steps(example.shown());
            assertTrue(!steps.isEmpty(), example + " shows no `$ ` command");
            List<String> outputs = new ArrayList<>();
            List<Integer> exits = new ArrayList<>();
            run(example, steps, root, work, bin, outputs, exits);

            List<String> generated = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                generated.addAll(steps.get(i).before());
                generated.add("$ " + steps.get(i).command());
                String output = outputs.get(i).replace(work.toRealPath().toString(), example.dir())
                        .replace(work.toString(), example.dir()).replace(root.toString(), "/tmp");
                List<String> lines = new ArrayList<>(output.lines().map(DocsExamplesIT::stripEnd).toList());
                while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                    lines.remove(lines.size() - 1);
                }
                generated.addAll(lines);
                if (exits.get(i) != 0) {
                    generated.add("(exit " + exits.get(i) + ")");
                }
            }
            if (masked(generated).equals(masked(example.shown()))) {
                return;
            }
            if (UPDATE) {
                rewrite(example, generated);
                return;
            }
            fail(example + " is not what the build prints; run DocsExamplesIT with -Ddocs.update=true to write it anew.\n"
                    + diff(example.shown(), generated));
        } finally {
            deleteTree(root);
        }
    }

    private static void run(Example example, List<Step> steps, Path root, Path work, Path bin, List<String> outputs,
            List<Integer> exits) throws Exception {
        StringBuilder script = new StringBuilder("cd \"$WORK\" || exit 90\n");
        Path setupLog = root.resolve("setup.log");
        for (String setup : example.setup()) {
            script.append("{ ").append(setup).append("\n} >>\"$SETUP_LOG\" 2>&1 </dev/null || { echo 'setup failed: ")
                    .append(setup.replace("'", "'\\''")).append("'; exit 91; }\n");
        }
        for (int i = 0; i < steps.size(); i++) {
            script.append("printf '\\n%s\\n' '").append(START).append("'\n");
            script.append(steps.get(i).command()).append("\n");
            script.append("printf '\\n%s%d@@\\n' '").append(END).append("' $?\n");
        }
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("CRYSTAL_DB") || key.equals("JOURNAL_STREAM") || key.equals("NO_COLOR"));
        env.put("PATH", bin + File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", work.toString());
        env.put("WORK", work.toString());
        env.put("PROJECT", PROJECT.toString());
        env.put("SETUP_LOG", setupLog.toString());
        env.put("TZ", "UTC");
        env.put("LC_ALL", "C.UTF-8");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = builder.start();
        String all = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail(example + " did not finish:\n" + all);
        }
        String log = Files.exists(setupLog) ? Files.readString(setupLog, StandardCharsets.UTF_8) : "";
        assertTrue(process.exitValue() == 0, example + ": bash exited " + process.exitValue() + "\n" + all + "\n--- setup log ---\n" + log);
        int at = 0;
        for (int i = 0; i < steps.size(); i++) {
            int start = all.indexOf(START + "\n", at);
            int end = all.indexOf("\n" + END, start);
            assertTrue(start >= 0 && end >= 0, example + ": no output framed for `" + steps.get(i).command() + "`:\n" + all);
            outputs.add(all.substring(start + START.length() + 1, end));
            int close = all.indexOf("@@", end + END.length() + 1);
            exits.add(Integer.parseInt(all.substring(end + END.length() + 1, close)));
            at = close;
        }
    }

    // ---------------------------------------------------------------- reading and writing the documents

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(PROJECT.resolve("README.md"), PROJECT.resolve("CONTRIBUTING.md")));
        try (Stream<Path> files = Files.list(PROJECT.resolve("docs"))) {
            files.filter(file -> file.toString().endsWith(".md")).sorted(Comparator.naturalOrder()).forEach(docs::add);
        }
        return docs;
    }

    /**
     * A block that cannot run here (a server, scp, systemctl, the native executable) says so with
     * {@code <!-- hand-written: WHY -->} right above its fence; only marked blocks are generated.
     */
    private static boolean handWritten(List<String> lines, int fence) {
        int i = fence - 1;
        while (i >= 0 && lines.get(i).isBlank()) {
            i--;
        }
        return i >= 0 && lines.get(i).startsWith("<!-- hand-written: ") && lines.get(i).endsWith("-->");
    }

    /** The line of the marker that belongs to the fence at index fence, or -1. */
    private static int markerAbove(List<String> lines, int fence) {
        int i = fence - 1;
        while (i >= 0 && lines.get(i).isBlank()) {
            i--;
        }
        if (i < 0 || !lines.get(i).strip().endsWith("-->")) {
            return -1;
        }
        while (i >= 0 && !lines.get(i).startsWith("<!--")) {
            i--;
        }
        return i >= 0 && MARKER.matcher(lines.get(i)).lookingAt() ? i : -1;
    }

    static List<Example> examples(Path doc) throws IOException {
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        List<Example> examples = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = MARKER.matcher(lines.get(i));
            if (!marker.lookingAt()) {
                continue;
            }
            String name = marker.group(1);
            assertTrue(names.add(name), doc + ": two examples named " + name);
            String dir = DEFAULT_DIR;
            List<String> needs = new ArrayList<>();
            List<String> setup = new ArrayList<>();
            int j = i;
            while (!lines.get(j).strip().endsWith("-->")) {
                j++;
                assertTrue(j < lines.size(), doc + ": the marker of " + name + " is not closed with -->");
                String option = lines.get(j).strip();
                if (option.equals("-->")) {
                    break;
                } else if (option.startsWith("dir: ")) {
                    dir = option.substring(5).strip();
                } else if (option.startsWith("needs: ")) {
                    needs.addAll(List.of(option.substring(7).strip().split("\\s+")));
                } else if (option.startsWith("setup: ")) {
                    setup.add(option.substring(7).strip());
                } else {
                    fail(doc + " line " + (j + 1) + ": unknown marker line (dir:, needs: or setup:): " + option);
                }
            }
            int open = j + 1;
            while (open < lines.size() && lines.get(open).isBlank()) {
                open++;
            }
            assertTrue(open < lines.size() && lines.get(open).equals("```text"), doc + ": the marker of " + name + " is not followed by a ```text block");
            int close = open + 1;
            while (close < lines.size() && !lines.get(close).startsWith("```")) {
                close++;
            }
            assertTrue(close < lines.size(), doc + ": the block of " + name + " is not closed");
            examples.add(new Example(doc, name, dir, needs, setup, open + 1, close, List.copyOf(lines.subList(open + 1, close))));
            i = close;
        }
        return examples;
    }

    /** The commands of a block, each with the comment lines (and the blank line) the block shows before it. */
    static List<Step> steps(List<String> shown) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            if (!shown.get(i).startsWith("$ ")) {
                continue;
            }
            int first = i;
            while (first > 0 && shown.get(first - 1).startsWith("# ")) {
                first--;
            }
            List<String> before = new ArrayList<>();
            if (!steps.isEmpty() && first > 0 && shown.get(first - 1).isEmpty()) {
                before.add("");
            }
            before.addAll(shown.subList(first, i));
            steps.add(new Step(before, shown.get(i).substring(2)));
        }
        return steps;
    }

    private static void rewrite(Example example, List<String> generated) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(example.doc(), StandardCharsets.UTF_8));
        // the block is found again by its marker: an earlier example of the same file may have changed length
        Example now = examples(example.doc()).stream().filter(e -> e.name().equals(example.name())).findFirst().orElseThrow();
        List<String> updated = new ArrayList<>(lines.subList(0, now.firstLine()));
        updated.addAll(generated);
        updated.addAll(lines.subList(now.endLine(), lines.size()));
        Files.writeString(example.doc(), String.join("\n", updated) + "\n", StandardCharsets.UTF_8);
        System.err.println("DocsExamplesIT: wrote " + example + " anew");
    }

    // ---------------------------------------------------------------- comparing

    static List<String> masked(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String text = line;
            for (Map.Entry<Pattern, String> varying : VARYING) {
                text = varying.getKey().matcher(text).replaceAll(Matcher.quoteReplacement(varying.getValue()));
            }
            // columns are padded to their widest value, which the masked values change
            out.add(text.replaceAll(" {2,}", " ").stripTrailing());
        }
        return out;
    }

    /** The lines that differ, each side with its line number in the block. */
    private static String diff(List<String> shown, List<String> generated) {
        List<String> a = masked(shown);
        List<String> b = masked(generated);
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder("--- the document\n+++ the build\n");
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                out.append("  ").append(shown.get(i)).append('\n');
                i++;
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.append("+ ").append(generated.get(j++)).append('\n');
            } else {
                out.append("- ").append(shown.get(i++)).append('\n');
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- helpers

    private static boolean installed(String need) throws Exception {
        List<String> probe = switch (need) {
            case "alembic" -> List.of("/usr/bin/python3", "-c", "import alembic, sqlalchemy");
            case "sqlite3" -> List.of("sqlite3", "-version");
            default -> throw new AssertionError("unknown need: " + need + " (alembic or sqlite3)");
        };
        try {
            Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String stripEnd(String line) {
        return line.stripTrailing();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
