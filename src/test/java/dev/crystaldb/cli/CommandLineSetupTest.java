package dev.crystaldb.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(Optional.of(StatusCommand.class), named("--db", "app.db", "--lock-timeout=5", "status"));
        assertEquals(Optional.of(BackupsCommand.class), named("backups"));
        assertEquals(Optional.of(UpgradeCommand.class), named("--db", "app.db", "migrate"), "Flyway's name");
        assertEquals(Optional.of(HistoryCommand.class), named("info"), "Flyway's name");
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
        assertEquals(Optional.empty(), named("--db", "@args.txt", "upgrade"), "@files are expanded anywhere");
        // picocli refuses a command name as an option's value, but only knowing that command
        assertEquals(Optional.empty(), named("--db", "upgrade", "status"));
        assertEquals(Optional.empty(), named("--db=upgrade", "status"));
        assertEquals(Optional.empty(), named("--backup-dir", "backups", "backup"));
    }

    @Test
    void argumentsGiveTheSameResultWithOneSubcommandAsWithTheWholeTree(@TempDir Path dir) {
        String missing = dir.resolve("missing.db").toString();
        List<String[]> cases = List.of(
                new String[]{"--db", "upgrade", "status"},
                new String[]{"--db=upgrade", "status"},
                new String[]{"--backup-dir", "backups", "backup", "--db", missing},
                new String[]{"--db", missing, "status"},
                new String[]{"current", "--db", missing},
                new String[]{"--quiet", "--json", "status", "--db", missing},
                new String[]{"status", "--bogus"},
                new String[]{"status", "extra-argument"},
                new String[]{"upgrade", "--help"},
                new String[]{"upgrade", "--lock-timeout", "-1", "--db", missing},
                new String[]{"--lock-timeout", "soon", "upgrade"},
                new String[]{"downgrade", "-1", "--db", missing},
                new String[]{"downgrade", "--sql", "-1", "--db", missing},
                new String[]{"migrate", "--db", missing},
                new String[]{"upgrade", "+1", "--sql"},
                new String[]{"stamp", "--db", missing},
                new String[]{"-qy", "status", "--db", missing},
                new String[]{"upgrad"},
                new String[]{"upgrade", "--dry-rn"},
                new String[]{"--db", missing, "stauts"},
                new String[]{"--db", missing, "--", "status"},
                new String[]{"lint", "--migrations", dir.resolve("no-such-dir").toString()});
        for (String[] args : cases) {
            Cli.Run alone = Cli.run(args);
            Cli.Run whole = Cli.runWithTheWholeTree(args);
            String what = String.join(" ", args);
            assertEquals(whole.exit(), alone.exit(), what + "\n" + alone + "\nwhole tree: " + whole);
            assertEquals(whole.out(), alone.out(), what);
            assertEquals(whole.err(), alone.err(), what);
        }
        assertEquals(2, Cli.runWithTheWholeTree("--db", "upgrade", "status").exit(), "the reference refuses it");
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

    @Test
    void aMistypedCommandOrOptionGetsTheNearestName() {
        assertEquals("crystal-db: unknown command 'upgrad'; did you mean `upgrade`?; see `crystal-db --help`\n", Cli.run("upgrad").err());
        assertEquals("crystal-db: unknown command 'stauts'; did you mean `status`?; see `crystal-db --help`\n",
                Cli.run("--db", "x.db", "stauts").err());
        assertEquals("crystal-db: unknown command 'hist'; did you mean `history`?; see `crystal-db --help`\n", Cli.run("hist").err());
        assertEquals("crystal-db: unknown command 'backupz'; did you mean `backup` or `backups`?; see `crystal-db --help`\n", Cli.run("backupz").err());
        assertEquals("crystal-db: Unknown option: '--dry-rn'; did you mean `--dry-run`?; see `crystal-db upgrade --help`\n",
                Cli.run("upgrade", "--dry-rn").err());
        assertEquals("crystal-db: Unknown option: '--form'; did you mean `--from`?; see `crystal-db new --help`\n", Cli.run("new", "x", "--form", "s.sql").err());
        assertEquals("crystal-db: Unknown option: '--jsn'; did you mean `--json`?; see `crystal-db status --help`\n", Cli.run("status", "--jsn").err());
        assertEquals("crystal-db: Unknown option: '--round'; did you mean `--round-trip`?; see `crystal-db lint --help`\n", Cli.run("lint", "--round").err());
        Cli.Run far = Cli.run("frobnicate");
        assertEquals(2, far.exit());
        assertEquals("crystal-db: unknown command 'frobnicate'; see `crystal-db --help`\n", far.err(), "nothing near: no guess");
    }

    @Test
    void aFlywayOrAlembicNameGetsWhatCrystalDbHasInstead() {
        assertEquals("crystal-db: unknown command 'baseline'; did you mean `stamp VERSION`? (Flyway's baseline; stamp records a version without "
                + "running SQL; `stamp --detect` finds it from the schema); see `crystal-db --help`\n", Cli.run("baseline", "4").err());
        assertEquals(2, Cli.run("revision", "-m", "add x").exit());
        assertTrue(Cli.run("downgrade", "--sql", "-1").err().startsWith("crystal-db: Unknown option: '--sql'; did you mean `--dry-run`?"),
                "picocli takes -1 for the target without being told, so --sql is not taken for one");
        assertTrue(Cli.run("upgrade", "--sql=head").err().contains("did you mean `--dry-run`?"));
        assertTrue(Cli.run("new", "-m", "add x").err().contains("did you mean `new DESCRIPTION`?"));
        assertEquals("crystal-db: Unknown option: '--sql'; see `crystal-db status --help`\n", Cli.run("status", "--sql").err(),
                "only where the command has what --sql means");
    }

    @Test
    void theNativeExecutablesTreeHasEveryCommandAndHidesNativeTmpdirButStillTakesIt() {
        CommandLine top = CommandLineSetup.configure(NativeCommandTree.TREE);
        assertEquals(CommandLineSetup.complete(CommandLine.defaultFactory()).getSubcommands().keySet(), top.getSubcommands().keySet());
        assertFalse(top.getUsageMessage(Ansi.OFF).contains("--native-tmpdir"));
        assertFalse(top.getSubcommands().get("status").getUsageMessage(Ansi.OFF).contains("--native-tmpdir"));
        top.parseArgs("status", "--native-tmpdir", "/var/tmp/x");
        assertEquals("/var/tmp/x", ((CrystalDbCommand) top.getCommand()).nativeTmpdir);
        assertTrue(CommandLineSetup.configure(CommandLineSetup.complete(CommandLine.defaultFactory())).getUsageMessage(Ansi.OFF).contains("--native-tmpdir"),
                "the JVM build shows it");
    }

    @Test
    void editDistanceCountsASwapAsOne() {
        assertEquals(0, CommandLineSetup.editDistance("status", "status"));
        assertEquals(1, CommandLineSetup.editDistance("stauts", "status"));
        assertEquals(1, CommandLineSetup.editDistance("upgrad", "upgrade"));
        assertEquals(3, CommandLineSetup.editDistance("stamp", "status"));
    }
}
