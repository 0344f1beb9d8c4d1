package dev.crystaldb.cli;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * What libraries may log: warnings and worse, to stderr, as "crystal-db: message". Flyway and
 * sqlite-jdbc log nothing: Flyway's failures reach the operator as crystal-db's one-line errors,
 * and sqlite-jdbc logs a copy of its library that does not load (another CPU) with a stack trace
 * before it falls back to another; a library that cannot be loaded at all still fails the command
 * with crystal-db's one-line error.
 */
final class Logs {

    // held: java.util.logging keeps loggers weakly, and a collected one forgets its level
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger FLYWAY = Logger.getLogger("org.flywaydb");
    private static final Logger SQLITE = Logger.getLogger("org.sqlite");

    private Logs() {
    }

    static void configure() {
        for (Handler handler : ROOT.getHandlers()) {
            ROOT.removeHandler(handler);
        }
        Handler stderr = new StreamHandler(System.err, new OneLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        ROOT.addHandler(stderr);
        ROOT.setLevel(Level.WARNING);
        FLYWAY.setLevel(Level.OFF);
        SQLITE.setLevel(Level.OFF);
    }

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            return "crystal-db: " + formatMessage(record) + System.lineSeparator();
        }
    }
}
