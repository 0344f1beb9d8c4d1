package dev.crystaldb.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A run that names its subcommand gets only that one: it must parse and read exactly as with the whole tree. */
class CommandLineSetupTest {
    private static final CommandSpec TOP = new CommandLine(CrystalDbCommand.class).getCommandSpec();

    private static Optional<Class<?>> named(String... args) {
        return CommandLineSetup.namedSubcommand(TOP, args);
    }

    @Test
    void theSubcommandIsFoundAfterTheTopCommandsOptions() {
        assertEquals(Optional.of(UpgradeCommand.class), named("upgrade", "--yes"));
        assertEquals(Optional.of(UpgradeCommand.class), named("--db", "app.db", "-q", "--lock-timeout", "5", "upgrade"));
        assertEquals(Optional.of(StatusCommand.class), named("--db=app.db", "current"), "an alias");
        assertEquals(Optional.of(StatusCommand.class), named("--db", "upgrade", "status"), "an option's value is not a command");
        assertEquals(Optional.of(BackupsCommand.class), named("backups"));
    }

    @Test
    void anythingElseGetsTheWholeTree() {
        assertEquals(Optional.empty(), named());
        assertEquals(Optional.empty(), named("--help", "upgrade"), "top-level help lists every command");
        assertEquals(Optional.empty(), named("-V"));
        assertEquals(Optional.empty(), named("upgrad"), "picocli suggests the near names");
        assertEquals(Optional.empty(), named("--db"), "the missing value is picocli's error");
        assertEquals(Optional.empty(), named("-qy", "upgrade"), "clustered flags: left to picocli");
        assertEquals(Optional.empty(), named("--no-such-option", "upgrade"));
        assertEquals(Optional.empty(), named("@args.txt"));
        assertEquals(Optional.empty(), named("--", "upgrade"));
    }

    @Test
    void everySubcommandReadsTheSameAloneAsInTheWholeTree() {
        CommandLine whole = CommandLineSetup.complete(CommandLine.defaultFactory());
        assertEquals(CommandLineSetup.SUBCOMMANDS.size(), whole.getSubcommands().values().stream().distinct().count());
        for (CommandLine inTree : whole.getSubcommands().values()) {
            String name = inTree.getCommandName();
            CommandLine top = CommandLineSetup.forArguments(CommandLine.defaultFactory(), new String[]{"--db", "x.db", name});
            assertEquals(1, top.getSubcommands().values().stream().distinct().count(), name);
            CommandLine alone = top.getSubcommands().get(name);
            // usage help covers every option, inherited ones included, with names, arity, labels and defaults
            assertEquals(inTree.getUsageMessage(Ansi.OFF), alone.getUsageMessage(Ansi.OFF), name);
            assertEquals(inTree.getCommandSpec().aliases().length, alone.getCommandSpec().aliases().length, name);
            assertEquals(CrystalDbCommand.class, alone.getParent().getCommand().getClass(), name);
        }
    }

    @Test
    void aCommandRunAloneSeesTheOptionsBeforeAndAfterIt() {
        CommandLine top = CommandLineSetup.forArguments(CommandLine.defaultFactory(), new String[]{"--db", "a.db", "upgrade"});
        top.parseArgs("--db", "a.db", "upgrade", "--lock-timeout", "7", "head");
        UpgradeCommand upgrade = top.getSubcommands().get("upgrade").getCommand();
        assertEquals("a.db", upgrade.root.database);
        assertEquals(7, upgrade.root.lockTimeoutSeconds);
        assertEquals("head", upgrade.target);
    }
}
