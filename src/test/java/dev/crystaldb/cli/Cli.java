package dev.crystaldb.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the crystal-db command line in this JVM and captures exit code, stdout and stderr. */
final class Cli {
    /** err without the first line that names the migration set ("migrations: ..."), which is migrations (null when none was printed). */
    record Run(int exit, String out, String err, String migrations) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + (migrations == null ? "" : migrations + "\n") + err;
        }
    }

    /** As crystal-db runs: with the subcommand the arguments name, or all of them. */
    static Run run(String... args) {
        return run(CommandLineSetup.forArguments(CommandLine.defaultFactory(), args), args);
    }

    /** With every subcommand whatever the arguments: the reference the run above must match. */
    static Run runWithTheWholeTree(String... args) {
        return run(CommandLineSetup.complete(CommandLine.defaultFactory()), args);
    }

    private static Run run(CommandLine tree, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = CommandLineSetup.configure(tree);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        String stderr = err.toString();
        if (stderr.startsWith("migrations: ")) {
            int end = stderr.indexOf('\n');
            return new Run(exit, out.toString(), stderr.substring(end + 1), stderr.substring(0, end));
        }
        return new Run(exit, out.toString(), stderr, null);
    }
}
