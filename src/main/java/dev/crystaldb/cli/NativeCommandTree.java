package dev.crystaldb.cli;

import picocli.CommandLine;

/**
 * The native executable's command tree, every command, built and prepared (error handling, help
 * layout: {@link CommandLineSetup#prepare}) when this class is initialized: while the image is
 * built (--initialize-at-build-time in pom.xml), so a run pays nothing for it. picocli builds its
 * model by reflection, which a native image answers at run time by decoding every annotation and
 * listing every method: that was a fifth of a no-op `upgrade`. What picocli reads from the
 * environment (the ${env:...} defaults, the terminal) it reads when a run parses or prints help,
 * not when the model is built; the process tests run against this tree.
 */
final class NativeCommandTree {
    static final CommandLine TREE = build();

    private NativeCommandTree() {
    }

    private static CommandLine build() {
        CommandLine top = new CommandLine(CrystalDbCommand.class, CommandLine.defaultFactory());
        CommandLineSetup.hideJvmOnlyOptions(top.getCommandSpec());
        return CommandLineSetup.prepare(CommandLineSetup.withSubcommands(top, CommandLineSetup.SUBCOMMANDS, CommandLine.defaultFactory()));
    }
}
