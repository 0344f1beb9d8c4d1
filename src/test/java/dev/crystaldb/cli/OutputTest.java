package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** stderr as the journal reads it: every line with its syslog priority, so journalctl -p err finds the failures. */
class OutputTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Output output(boolean journal, boolean quiet) {
        return new Output(new PrintWriter(out, true), new PrintWriter(err, true), false, quiet, false, journal);
    }

    @Test
    void eachStderrLineCarriesItsPriorityWhenStderrIsTheJournal() {
        Output output = output(true, false);
        output.info("to apply on app.db (now at 3):\n  4  shared budget support");
        output.warning("V6 drops table audit");
        output.error(ExitCode.FAILED, "V7__x.sql line 2 failed");
        output.result(Output.doc(), "database is now at version 5");
        assertEquals("<6>to apply on app.db (now at 3):\n<6>  4  shared budget support\n<4>crystal-db: warning: V6 drops table audit\n"
                + "<3>crystal-db: V7__x.sql line 2 failed\n", err.toString());
        assertEquals("database is now at version 5\n", out.toString(), "stdout is data: never prefixed");
    }

    @Test
    void elsewhereStderrIsPlainAndQuietKeepsOnlyErrors() {
        Output plain = output(false, false);
        plain.info("backing up app.db ...");
        plain.warning("careful");
        assertEquals("backing up app.db ...\ncrystal-db: warning: careful\n", err.toString());
        err.getBuffer().setLength(0);
        Output quiet = output(true, true);
        quiet.info("backing up app.db ...");
        quiet.warning("careful");
        quiet.error(ExitCode.BUSY, "database is in use");
        assertEquals("<3>crystal-db: database is in use\n", err.toString());
    }
}
