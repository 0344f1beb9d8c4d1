package dev.crystaldb.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/** Whether a person is at the keyboard, and asking them. */
final class Terminal {
    private Terminal() {
    }

    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        // JDK 22+ returns a console even when redirected; Console.isTerminal() tells the truth there
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    static boolean ask(PrintWriter err, String prompt) {
        err.print(prompt);
        err.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }
}
