package dev.crystaldb.cli;

import dev.crystaldb.db.NativeLibraryDirectory;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

/** Builds the command line and maps every failure to one stderr line and its exit code. */
@ApplicationScoped
public class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return configure(factory.create());
    }

    /** Shared with tests that drive the command line without Quarkus. */
    public static CommandLine configure(CommandLine commandLine) {
        commandLine.setExecutionExceptionHandler(CommandLineSetup::onError);
        // before anything loads SQLite (even --version): choose where its native library is unpacked
        commandLine.setExecutionStrategy(parseResult -> {
            try {
                NativeLibraryDirectory.prepare(((CrystalDbCommand) parseResult.commandSpec().userObject()).nativeTmpdir);
            } catch (CrystalDbException e) {
                return onError(e, commandLine, parseResult);
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        commandLine.setParameterExceptionHandler(CommandLineSetup::onBadArguments);
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(helpAnsi(System.getenv("NO_COLOR"), Terminal.stdoutIsTerminal())));
        // `downgrade -1` reads as a target, exactly as with Alembic
        commandLine.getSubcommands().get("downgrade").setUnmatchedOptionsArePositionalParams(true);
        return commandLine;
    }

    /**
     * Colors in --help only on a terminal and never with NO_COLOR (https://no-color.org). picocli's
     * own AUTO mode checks both too, but its terminal check goes through reflection on
     * System.console(), which a native image may not answer; so crystal-db decides, and leaves
     * AUTO (and with it CLICOLOR=0) only for a real terminal.
     */
    static CommandLine.Help.Ansi helpAnsi(String noColor, boolean stdoutIsTerminal) {
        return noColor != null || !stdoutIsTerminal ? CommandLine.Help.Ansi.OFF : CommandLine.Help.Ansi.AUTO;
    }

    private static int onError(Exception error, CommandLine command, ParseResult parseResult) {
        CrystalDbCommand root = root(command);
        Output output = root.output();
        CrystalDbException known = CrystalDbException.findIn(error);
        if (known != null) {
            output.error(known.exitCode(), known.getMessage());
            if (root.debug && known.getCause() != null) {
                printTrace(command, known);
            }
            return known.exitCode().code;
        }
        output.error(ExitCode.FAILED, "unexpected error: " + error + (root.debug ? "" : " (run with --debug for details)"));
        if (root.debug) {
            printTrace(command, error);
        }
        return ExitCode.FAILED.code;
    }

    private static int onBadArguments(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        String message = error.getMessage() + "; see `" + command.getCommandSpec().qualifiedName() + " --help`";
        boolean json = Arrays.asList(args).contains("--json");
        new Output(command.getOut(), command.getErr(), json, false).error(ExitCode.USAGE, message);
        return ExitCode.USAGE.code;
    }

    private static CrystalDbCommand root(CommandLine command) {
        CommandLine top = command;
        while (top.getParent() != null) {
            top = top.getParent();
        }
        return top.getCommand();
    }

    private static void printTrace(CommandLine command, Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        command.getErr().print(trace);
        command.getErr().flush();
    }
}
