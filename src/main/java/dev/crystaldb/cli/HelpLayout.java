package dev.crystaldb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ScopeType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * --help with a command's own options first and the options every command takes after them,
 * under "Global options:" (picocli lists all of them in one alphabetical list, where `rollback`'s
 * three options drown among nine of everyone's). The synopsis names the own options and
 * "[global-options]".
 */
final class HelpLayout {
    static final String GLOBAL_OPTIONS_HEADING = "globalOptionListHeading";
    static final String GLOBAL_OPTIONS = "globalOptionList";

    private HelpLayout() {
    }

    /** Applies the layout to a command line and every subcommand it has now. */
    static void apply(CommandLine commandLine) {
        commandLine.setHelpFactory(OwnOptionsFirst::new);
        applyTo(commandLine);
    }

    private static void applyTo(CommandLine command) {
        boolean top = command.getParent() == null;
        Map<String, CommandLine.IHelpSectionRenderer> sections = command.getHelpSectionMap();
        sections.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING, help -> ownOptions(help.commandSpec()).isEmpty() ? "" : "Options:%n".formatted());
        sections.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> optionList(help, ownOptions(help.commandSpec())));
        sections.put(GLOBAL_OPTIONS_HEADING, help -> globalOptions(help.commandSpec()).isEmpty() ? ""
                : (top ? "Global options (before or after the command):%n" : "Global options:%n").formatted());
        sections.put(GLOBAL_OPTIONS, help -> optionList(help, globalOptions(help.commandSpec())));
        List<String> keys = new ArrayList<>(command.getHelpSectionKeys());
        if (!keys.contains(GLOBAL_OPTIONS)) {
            int after = keys.indexOf(UsageMessageSpec.SECTION_KEY_OPTION_LIST) + 1;
            keys.addAll(after, List.of(GLOBAL_OPTIONS_HEADING, GLOBAL_OPTIONS));
            command.setHelpSectionKeys(keys);
        }
        command.getSubcommands().values().stream().distinct().forEach(HelpLayout::applyTo);
    }

    /** Declared by the command itself (its parameters' options first, then -h and -V), or by the top command for itself only. */
    static List<OptionSpec> ownOptions(CommandSpec command) {
        List<OptionSpec> own = new ArrayList<>(command.options().stream().filter(o -> !o.hidden() && !isGlobal(o)).toList());
        own.sort(Comparator.comparing(o -> o.usageHelp() || o.versionHelp()));
        return own;
    }

    /** The top command's options every command inherits, in the order it declares them. */
    static List<OptionSpec> globalOptions(CommandSpec command) {
        return command.options().stream().filter(o -> !o.hidden() && isGlobal(o)).toList();
    }

    private static boolean isGlobal(OptionSpec option) {
        return option.inherited() || option.scopeType() == ScopeType.INHERIT;
    }

    /** Both lists in the one layout the whole command's options give, so their columns line up. */
    private static String optionList(Help help, List<OptionSpec> options) {
        List<OptionSpec> shown = help.commandSpec().options().stream().filter(o -> !o.hidden()).toList();
        Help.Layout layout = help.createDefaultLayout(shown, help.commandSpec().positionalParameters(), help.colorScheme());
        return help.optionListExcludingGroups(options, layout, null, help.parameterLabelRenderer());
    }

    /** The synopsis: the command's own options, then "[global-options]" (the top command lists its own as picocli does). */
    private static final class OwnOptionsFirst extends Help {
        OwnOptionsFirst(CommandSpec command, ColorScheme colors) {
            super(command, colors);
        }

        @Override
        protected Ansi.Text createDetailedSynopsisOptionsText(Collection<ArgSpec> done, List<OptionSpec> options, Comparator<OptionSpec> sort,
                boolean clusterBooleanOptions) {
            if (commandSpec().parent() == null) {
                return super.createDetailedSynopsisOptionsText(done, options, sort, clusterBooleanOptions);
            }
            List<OptionSpec> own = options.stream().filter(o -> !isGlobal(o)).toList();
            return super.createDetailedSynopsisOptionsText(done, own, sort, clusterBooleanOptions).concat(" [global-options]");
        }
    }
}
