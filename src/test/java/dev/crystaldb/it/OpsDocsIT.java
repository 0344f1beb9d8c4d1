package dev.crystaldb.it;

import dev.crystaldb.support.Subcommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ops files the build generates from the command definitions into target/dist-share/ (the
 * "ops-docs" step of pom.xml): picocli's bash completion script and the man pages.
 */
class OpsDocsIT {
    private static final Path SHARE = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/dist-share");
    private static final List<String> COMMANDS = Subcommands.names();

    private static Path completion() {
        Path file = SHARE.resolve("bash-completion/crystal-db");
        assertTrue(Files.isRegularFile(file), file + " was not generated: run ./mvnw package");
        return file;
    }

    // ---------------------------------------------------------------- bash completion

    @Test
    @Timeout(30)
    void bashAcceptsTheCompletionScript() throws Exception {
        Run check = bash("-n", completion().toString());
        assertEquals(0, check.exit(), "bash -n rejects the completion script:\n" + check.output());
    }

    @Test
    void theCompletionScriptOffersEverySubcommand() throws IOException {
        String script = Files.readString(completion(), StandardCharsets.UTF_8);
        String commandsLine = script.lines().filter(line -> line.strip().startsWith("local commands=\""))
                .findFirst().orElseThrow(() -> new AssertionError("no top-level command list in the completion script"));
        List<String> offered = Arrays.asList(commandsLine.strip().replaceAll("^local commands=\"|\"$", "").split("\\s+"));
        for (String command : COMMANDS) {
            assertTrue(offered.contains(command), command + " is not offered by the completion script: " + offered);
            // picocli names the function without the command's hyphens: _picocli_crystal-db_importalembic
            assertTrue(script.contains("_picocli_crystal-db_" + command.replace("-", "") + "()"), "no completion function for " + command);
        }
        assertTrue(script.contains("complete -F _complete_crystal-db"), "the script does not register itself for crystal-db");
    }

    @Test
    @Timeout(30)
    void bashCompletesCommandsAndOptions() throws Exception {
        // what bash does on TAB: fill COMP_WORDS/COMP_CWORD/COMP_LINE, call the registered function, read COMPREPLY
        String driver = "source \"$1\"\n"
                + "complete_words() {\n"
                + "  COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}\n"
                + "  COMPREPLY=()\n"
                + "  _complete_crystal-db 2>/dev/null\n"
                + "  printf '%s\\n' \"${COMPREPLY[@]}\" | sort | tr '\\n' ' '; echo\n"
                + "}\n"
                + "complete_words crystal-db ba\n"
                + "complete_words crystal-db upgrade --dr\n"
                + "complete_words crystal-db --db x re\n"
                + "complete_words crystal-db backup --keep-d\n";
        Run run = bash("-c", driver, "driver", completion().toString());
        assertEquals(0, run.exit(), run.output());
        assertEquals(List.of("backup backups", "--dry-run", "rehearse repair", "--keep-daily"),
                run.output().lines().map(String::strip).toList(), run.output());
    }

    // ---------------------------------------------------------------- man pages

    @Test
    void theManPageNamesEverySubcommand() throws IOException {
        String page = manText("crystal-db.1");
        assertTrue(page.contains(".TH \"CRYSTAL-DB\" \"1\""), "no .TH header for crystal-db(1)");
        int commands = page.indexOf(".SH \"COMMANDS\"");
        assertTrue(commands > 0, "no COMMANDS section in crystal-db.1");
        String section = page.substring(commands);
        int next = section.indexOf(".SH ", 1);
        section = next > 0 ? section.substring(0, next) : section;
        List<String> named = new ArrayList<>();
        for (String line : section.lines().toList()) {
            // each command is a bold term: \fBstatus\fP, \fBimport\-alembic\fP (a hyphen is \- in roff)
            Matcher bold = Pattern.compile("\\\\fB([a-z\\\\-]+)\\\\fP").matcher(line);
            while (bold.find()) {
                named.add(bold.group(1).replace("\\-", "-"));
            }
        }
        for (String command : COMMANDS) {
            assertTrue(named.contains(command), command + " is not named in the COMMANDS section of crystal-db.1: " + named);
        }
        for (String option : List.of("--db", "--migrations", "--backup-dir", "--lock-timeout", "--json", "--quiet", "--yes")) {
            assertTrue(page.contains("\\fB" + option + "\\fP"), option + " is not in crystal-db.1");
        }
    }

    @Test
    void everySubcommandHasItsOwnManPage() throws IOException {
        for (String command : COMMANDS) {
            String page = manText("crystal-db-" + command + ".1");
            assertTrue(page.contains(".TH \"CRYSTAL-DB-" + command.toUpperCase() + "\" \"1\""), "crystal-db-" + command + ".1 has no .TH header");
            assertTrue(page.contains("crystal-db " + command), "crystal-db-" + command + ".1 does not show `crystal-db " + command + "`");
        }
    }

    /** The roff source with the escaped hyphens (\-) as plain hyphens, so names can be searched. */
    private static String manText(String name) throws IOException {
        Path file = SHARE.resolve("man/man1").resolve(name);
        assertTrue(Files.isRegularFile(file), file + " was not generated: run ./mvnw package");
        return Files.readString(file, StandardCharsets.UTF_8).replace("\\-", "-");
    }

    // ---------------------------------------------------------------- helpers

    record Run(int exit, String output) {
    }

    private static Run bash(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("bash did not finish: " + command);
        }
        return new Run(process.exitValue(), output);
    }
}
