package dev.crystaldb.cli;

import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The entry point. It runs the command line without starting Quarkus's runtime: no command uses
 * CDI, configuration or any other runtime service of Quarkus, and their start (SmallRye Config's
 * runtime configuration, ArC, the transaction manager quarkus-flyway brings) was the largest part
 * of every run, the no-op `upgrade` before each service start included. Quarkus builds the
 * executable (the native image's reflection and resources, Flyway's and SQLite's native support).
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        Logs.configure();
        System.exit(CommandLineSetup.forRun(args).execute(args));
    }
}
