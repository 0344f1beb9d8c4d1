package dev.crystaldb.cli;

import dev.crystaldb.db.RunDefaults;
import dev.crystaldb.db.SqliteLibrary;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.migrate.RunningExecutable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Builds the command line and maps every failure to one stderr line and its exit code. */
public final class CommandLineSetup {

    /** Every subcommand, in the order --help lists them (the tests of help, completion and man pages read it too). */
    public static final List<Class<?>> SUBCOMMANDS = List.of(StatusCommand.class, HistoryCommand.class, UpgradeCommand.class,
            DowngradeCommand.class, StampCommand.class, BackupCommand.class, BackupsCommand.class, RollbackCommand.class,
            VerifyCommand.class, RehearseCommand.class, LintCommand.class, NewCommand.class, BundleCommand.class, RepairCommand.class,
            ImportAlembicCommand.class);

    /**
     * The command line of this run, ready to execute. In the native executable it is the whole tree,
     * built and prepared while the image is built (see {@link NativeCommandTree}); on the JVM it is
     * built now, of the command the arguments name ({@link #forArguments}).
     */
    static CommandLine forRun(String[] args) {
        return SqliteLibrary.inNativeExecutable() ? withColors(NativeCommandTree.TREE) : configure(forArguments(CommandLine.defaultFactory(), args));
    }

    /**
     * The command line for one run on the JVM. picocli builds the full model of every subcommand it
     * is given, with the nine inherited options copied into each: the largest single part of
     * start-up, paid by the no-op upgrade before every service start. So a run whose arguments name
     * their subcommand gets the top command and that subcommand only, which parses those arguments
     * exactly as the whole tree does; anything else (no subcommand, top-level --help or --version, an
     * unknown word, an option this scan does not know, @argument files) gets all of them.
     */
    public static CommandLine forArguments(CommandLine.IFactory factory, String[] args) {
        CommandLine top = new CommandLine(CrystalDbCommand.class, factory);
        Optional<Class<?>> named = namedSubcommand(top.getCommandSpec(), args);
        return withSubcommands(top, named.map(List::<Class<?>>of).orElse(SUBCOMMANDS), factory);
    }

    static CommandLine withSubcommands(CommandLine top, List<Class<?>> subcommands, CommandLine.IFactory factory) {
        for (Class<?> subcommand : subcommands) {
            top.addSubcommand(new CommandLine(subcommand, factory));
        }
        return top;
    }

    /**
     * --native-tmpdir does nothing in the native executable (it carries its libraries inside), so its
     * help does not offer it; it is still accepted, so a unit file written for either build runs
     * with both. Done on the top command before the subcommands inherit its options
     * ({@link NativeCommandTree}).
     */
    static void hideJvmOnlyOptions(CommandSpec top) {
        OptionSpec option = top.findOption("--native-tmpdir");
        top.remove(option);
        top.addOption(option.toBuilder().hidden(true).build());
    }

    /** The whole command tree, for generated documentation and completion. */
    public static CommandLine complete(CommandLine.IFactory factory) {
        return forArguments(factory, new String[0]);
    }

    /**
     * The subcommand the arguments name, read the way picocli reads the top command's arguments;
     * empty whenever the two trees could read them differently. picocli expands @files wherever
     * they are, and refuses a command name as an option's value ("--db upgrade status") only when
     * it knows that command, so such arguments get the whole tree.
     */
    static Optional<Class<?>> namedSubcommand(CommandSpec top, String[] args) {
        if (Arrays.stream(args).anyMatch(arg -> arg.startsWith("@"))) {
            return Optional.empty();
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                return Optional.empty();
            }
            if (!arg.startsWith("-")) {
                return subcommandNamed(arg);
            }
            int equals = arg.indexOf('=');
            OptionSpec option = top.findOption(equals < 0 ? arg : arg.substring(0, equals));
            if (option == null || option.usageHelp() || option.versionHelp()) {
                return Optional.empty();
            }
            String value = equals >= 0 ? arg.substring(equals + 1)
                    : option.arity().max() > 0 && i + 1 < args.length ? args[++i] : null;
            if (value != null && subcommandNamed(value).isPresent()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<Class<?>> subcommandNamed(String name) {
        return SUBCOMMANDS.stream().filter(subcommand -> namesOf(subcommand).contains(name)).findFirst();
    }

    private static List<String> namesOf(Class<?> subcommand) {
        Command command = subcommand.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(command.aliases()));
        names.add(command.name());
        return names;
    }

    /** Shared with tests that drive the command line without Quarkus. */
    public static CommandLine configure(CommandLine commandLine) {
        return withColors(prepare(commandLine));
    }

    /**
     * Everything but the colors of --help, which depend on the run's terminal: the error handling,
     * the start of every run and the help layout. The native executable's tree is prepared while
     * the image is built.
     */
    static CommandLine prepare(CommandLine commandLine) {
        commandLine.setExecutionExceptionHandler(CommandLineSetup::onError);
        // before anything loads SQLite (even --version): the run's time zone and locale, where its native library is
        // loaded from; and whether a set is appended to this executable (its trailer only: a damaged one is exit 4 for
        // every command)
        commandLine.setExecutionStrategy(parseResult -> {
            try {
                RunDefaults.apply();
                SqliteLibrary.prepare(((CrystalDbCommand) parseResult.commandSpec().userObject()).nativeTmpdir);
                RunningExecutable.trailer();
            } catch (CrystalDbException e) {
                return onError(e, commandLine, parseResult);
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        commandLine.setParameterExceptionHandler(CommandLineSetup::onBadArguments);
        HelpLayout.apply(commandLine);
        // `downgrade -1` reads as a target as it is: picocli takes a negative number for a parameter, not an option
        return commandLine;
    }

    private static CommandLine withColors(CommandLine commandLine) {
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(helpAnsi(System.getenv("NO_COLOR"), Terminal.stdoutIsTerminal())));
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
        boolean unknownCommand = error instanceof UnmatchedArgumentException unmatched && !command.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-");
        String message = (unknownCommand ? "unknown command '" + ((UnmatchedArgumentException) error).getUnmatched().get(0) + "'" : error.getMessage())
                + foreignName(error).orElseGet(() -> didYouMean(error)) + "; see `" + command.getCommandSpec().qualifiedName() + " --help`";
        boolean json = Arrays.asList(args).contains("--json");
        new Output(command.getOut(), command.getErr(), json, false, false, Terminal.stderrIsJournal()).error(ExitCode.USAGE, message);
        return ExitCode.USAGE.code;
    }

    /** A Flyway or Alembic command or option typed out of habit: what crystal-db has instead (see ForeignNames). */
    private static Optional<String> foreignName(ParameterException error) {
        if (!(error instanceof UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return Optional.empty();
        }
        String typed = unmatched.getUnmatched().get(0);
        return typed.startsWith("-") ? ForeignNames.option(typed, error.getCommandLine().getCommandSpec())
                : error.getCommandLine().getSubcommands().isEmpty() ? Optional.empty() : ForeignNames.command(typed);
    }

    /**
     * For a mistyped command or option, the nearest names the command knows: "; did you mean
     * `upgrade`?". picocli's own suggestions are ranked by a similarity that puts `stamp` before
     * `status` for "stauts" and misses `--from` for "--form"; the edit distance does neither.
     */
    static String didYouMean(ParameterException error) {
        if (!(error instanceof UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return "";
        }
        String typed = unmatched.getUnmatched().get(0);
        CommandSpec spec = error.getCommandLine().getCommandSpec();
        List<String> candidates = new ArrayList<>();
        if (typed.startsWith("-")) {
            typed = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
            spec.options().forEach(option -> candidates.addAll(List.of(option.names())));
        } else {
            candidates.addAll(spec.subcommands().keySet());
        }
        String word = typed;
        List<String> nearest = candidates.stream().filter(c -> word.replace("-", "").length() >= 2 && c.startsWith(word)).distinct().toList();
        if (nearest.isEmpty()) {
            int best = candidates.stream().mapToInt(c -> editDistance(word, c)).min().orElse(Integer.MAX_VALUE);
            nearest = best > Math.max(2, word.length() / 3) ? List.of()
                    : candidates.stream().filter(c -> editDistance(word, c) == best).distinct().toList();
        }
        return nearest.isEmpty() ? "" : "; did you mean " + String.join(" or ", nearest.stream().limit(3).map(c -> "`" + c + "`").toList()) + "?";
    }

    /** Insertions, deletions, substitutions and swaps of two neighbours needed to turn a into b. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
