package dev.crystaldb.support;

import dev.crystaldb.cli.CommandLineSetup;
import picocli.CommandLine.Command;

import java.util.List;

/** The names of crystal-db's subcommands, from the list the command line is built from, so a test of every command misses none. */
public final class Subcommands {
    private Subcommands() {
    }

    public static List<String> names() {
        return CommandLineSetup.SUBCOMMANDS.stream().map(subcommand -> subcommand.getAnnotation(Command.class).name()).toList();
    }
}
