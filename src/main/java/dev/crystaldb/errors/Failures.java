package dev.crystaldb.errors;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Reading a failure the way every message of crystal-db does: its chain of causes, and the first line of what it says. */
public final class Failures {
    private Failures() {
    }

    /** The failure and its causes, outermost first; a chain that loops back ends before the repeat. */
    public static Stream<Throwable> causes(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return Stream.iterate(error, t -> t != null && seen.add(t), Throwable::getCause);
    }

    /** The outermost failure of the given type in the chain (a SQLException inside Flyway's wrapping, say). */
    public static <T extends Throwable> Optional<T> find(Throwable error, Class<T> type) {
        return causes(error).filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The first line of a failure's message, trimmed; its class name when it has no message. */
    public static String firstLine(Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return message.lines().findFirst().orElse("").trim();
    }
}
