package dev.crystaldb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a person is at the keyboard, and asking them. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True when stdin is a terminal. Read from /proc (crystal-db targets Linux servers) because
     * System.console() is non-null even when redirected on JDK 22+, and this needs no reflection
     * in a native image.
     */
    static boolean interactive() {
        return isTerminal(0);
    }

    /** True when stdout is a terminal (not a file, pipe, the journal or cron's mail). */
    static boolean stdoutIsTerminal() {
        return isTerminal(1);
    }

    /**
     * True when stderr is a terminal that can rewrite a line: only then is a progress line drawn.
     * Unsure (no /proc) or TERM=dumb (an editor's shell buffer, for one) means no.
     */
    static boolean stderrIsTerminal() {
        return !"dumb".equals(System.getenv("TERM")) && isTerminal(2);
    }

    /**
     * True when stderr is the journal: systemd sets JOURNAL_STREAM to the device and inode of the
     * stream it connected, which stderr still is unless the service redirected it (then the
     * variable is only inherited). Without /proc the variable is taken at its word.
     */
    static boolean stderrIsJournal() {
        String stream = System.getenv("JOURNAL_STREAM");
        if (stream == null || !stream.matches("\\d+:\\d+")) {
            return false;
        }
        try {
            Path stderr = Path.of("/proc/self/fd/2");
            return stream.equals(Files.getAttribute(stderr, "unix:dev") + ":" + Files.getAttribute(stderr, "unix:ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc: System.console() speaks for stdin and stdout only; a progress line is never drawn on a guess
            return fd != 2 && System.console() != null;
        }
    }

    static boolean ask(PrintWriter err, String prompt) {
        String answer = read(err, prompt).trim();
        return answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes");
    }

    /** Prints the prompt on stderr and reads one line; empty at end of input. */
    static String read(PrintWriter err, String prompt) {
        err.print(prompt);
        err.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return answer == null ? "" : answer;
        } catch (IOException e) {
            return "";
        }
    }
}
