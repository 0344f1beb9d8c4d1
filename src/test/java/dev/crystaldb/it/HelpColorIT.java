package dev.crystaldb.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The only colors crystal-db ever prints are picocli's in --help, and only on a terminal: none with
 * NO_COLOR (https://no-color.org), none into a pipe, a file, the journal or cron's mail. The
 * terminal is a real pseudo-terminal from util-linux's script(1).
 */
class HelpColorIT {
    private static final char ESC = '\u001b';

    @Test
    @Timeout(60)
    void helpIsColoredOnATerminalOnly() throws Exception {
        String onTerminal = underScript(Map.of(), "--help");
        assertTrue(onTerminal.contains("Usage:"), onTerminal);
        assertTrue(onTerminal.indexOf(ESC) >= 0, "no colors on a terminal: the NO_COLOR check below would prove nothing\n" + onTerminal);

        String noColor = underScript(Map.of("NO_COLOR", "1"), "--help");
        assertTrue(noColor.contains("Usage:"), noColor);
        assertFalse(noColor.indexOf(ESC) >= 0, "NO_COLOR=1 on a terminal still printed escape codes:\n" + noColor);

        String subcommand = underScript(Map.of("NO_COLOR", "1"), "upgrade", "--help");
        assertFalse(subcommand.indexOf(ESC) >= 0, "NO_COLOR=1: upgrade --help printed escape codes:\n" + subcommand);
    }

    @Test
    @Timeout(60)
    void helpIntoAPipeHasNoEscapeCodes() throws Exception {
        CrystalDb.Result help = CrystalDb.run(java.nio.file.Path.of("."), "--help");
        assertEquals(0, help.exitCode(), help::describe);
        assertTrue(help.stdout().contains("Usage:"), help::describe);
        assertFalse((help.stdout() + help.stderr()).indexOf(ESC) >= 0, help::describe);
    }

    /** Runs crystal-db with stdin and stdout on a pseudo-terminal; returns what it printed there. */
    private static String underScript(Map<String, String> env, String... args) throws Exception {
        File script = new File("/usr/bin/script");
        Assumptions.assumeTrue(script.canExecute(), "script(1) from util-linux is not installed");
        StringBuilder command = new StringBuilder(CrystalDb.executable().toString());
        for (String arg : args) {
            command.append(' ').append(arg);
        }
        List<String> argv = new ArrayList<>(List.of(script.getPath(), "-q", "-e", "-c", command.toString(), "/dev/null"));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        for (String variable : List.of("NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE")) {
            builder.environment().remove(variable);
        }
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(50, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("script -c '" + command + "' did not finish");
        }
        Assumptions.assumeTrue(process.exitValue() == 0 || output.contains("Usage:"),
                "script(1) cannot open a pseudo-terminal here: " + output);
        return output;
    }
}
