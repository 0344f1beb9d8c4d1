package dev.crystaldb.cli;

import dev.crystaldb.support.Subcommands;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No ANSI escape codes where nobody asked for them: NO_COLOR, pipes, files, cron mail, the journal. */
class HelpOutputTest {
    private static final char ESC = '\u001b';
    private static final List<String> COMMANDS = Subcommands.names();

    @Test
    void helpHasNoEscapeCharacterInProcess() {
        Cli.Run top = Cli.run("--help");
        assertEquals(0, top.exit(), top.toString());
        assertTrue(top.out().startsWith("Usage: crystal-db"), top.toString());
        assertFalse((top.out() + top.err()).indexOf(ESC) >= 0, top.toString());
        for (String command : COMMANDS) {
            Cli.Run help = Cli.run(command, "--help");
            assertEquals(0, help.exit(), help.toString());
            assertTrue(help.out().contains("crystal-db " + command), help.toString());
            assertFalse((help.out() + help.err()).indexOf(ESC) >= 0, command + " --help:\n" + help);
        }
    }

    @Test
    void colorsOnlyOnATerminalWithoutNoColor() {
        assertEquals(Ansi.AUTO, CommandLineSetup.helpAnsi(null, true), "a terminal keeps picocli's own rules");
        assertEquals(Ansi.OFF, CommandLineSetup.helpAnsi("1", true), "NO_COLOR");
        assertEquals(Ansi.OFF, CommandLineSetup.helpAnsi("", true), "NO_COLOR set but empty (picocli treats it as set too)");
        assertEquals(Ansi.OFF, CommandLineSetup.helpAnsi(null, false), "stdout is a pipe or a file");
    }

    @Test
    void theHelpWouldBeColoredWithAnsiOn() {
        // proof that the checks above can fail: picocli does style this help when colors are on
        CommandLine commandLine = CommandLineSetup.configure(CommandLineSetup.complete(CommandLine.defaultFactory()));
        StringWriter out = new StringWriter();
        commandLine.usage(new PrintWriter(out), CommandLine.Help.defaultColorScheme(Ansi.ON));
        assertTrue(out.toString().indexOf(ESC) >= 0, out.toString());
        // and in this test JVM stdout is not a terminal, so the configured scheme is plain
        assertEquals(Ansi.OFF, commandLine.getColorScheme().ansi());
    }

    @Test
    void crystalDbsOwnOutputHasNoEscapeCodes() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
                String text = Files.readString(source, StandardCharsets.UTF_8);
                for (String escape : List.of(String.valueOf(ESC), "\\u001b", "\\u001B", "\\033", "\\x1b", "\\e[", "@|")) {
                    if (text.contains(escape)) {
                        found.add(source + ": " + escape);
                    }
                }
            }
        }
        assertEquals(List.of(), found, "ANSI escape codes or picocli color markup in crystal-db's sources");
    }
}
