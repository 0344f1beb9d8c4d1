package nativebuild;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions of glibc's functions, read from objdump -T of glibc's libraries, and what keeps a binary at
 * the oldest glibc it is to run on (native/README.md "glibc"): the renames for objcopy --redefine-syms and
 * the newest version a binary asks for. Pure, so that it is unit-tested; a reading that finds no version
 * fails the build instead of letting a binary pass as needing none.
 */
public final class GlibcVersions {
    private static final Pattern DEFINITION = Pattern.compile("\\s(\\()?GLIBC_([0-9.]+)\\)?\\s+(\\S+)$");
    private static final Pattern VERSION = Pattern.compile("GLIBC_([0-9.]+)");

    /** function -> every version glibc here defines it in; and the version a plain reference binds to */
    private final Map<String, Set<String>> versions = new HashMap<>();
    private final Map<String, String> defaults = new HashMap<>();

    /** Adds the functions objdump -T shows of one of glibc's libraries (a hidden, parenthesised version is not a default). */
    public void read(String objdumpDynamicSymbols) {
        for (String entry : objdumpDynamicSymbols.split("\n")) {
            Matcher match = DEFINITION.matcher(entry);
            if (match.find() && entry.contains(" DF ")) {
                versions.computeIfAbsent(match.group(3), k -> new TreeSet<>(GlibcVersions::compare)).add(match.group(2));
                if (match.group(1) == null) {
                    defaults.merge(match.group(3), match.group(2), (a, b) -> compare(a, b) >= 0 ? a : b);
                }
            }
        }
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }

    /**
     * The renames that bind each of the object's references to a function newer than the floor to its newest
     * version not newer than that, or to its replacement; a function with neither stops the build.
     */
    public List<String> bindings(String object, Set<String> undefinedSymbols, String floor, Map<String, String> replacements) {
        List<String> renames = new ArrayList<>();
        for (String symbol : undefinedSymbols) {
            String current = defaults.get(symbol);
            if (symbol.contains("@") || current == null || compare(current, floor) <= 0) {
                continue;
            }
            Optional<String> older = versions.get(symbol).stream().filter(v -> compare(v, floor) <= 0).reduce((a, b) -> b);
            if (older.isPresent()) {
                renames.add(symbol + " " + symbol + "@GLIBC_" + older.get());
            } else if (replacements.containsKey(symbol)) {
                renames.add(symbol + " " + replacements.get(symbol));
            } else {
                throw new Failure(object + " calls " + symbol + ", which exists only since glibc " + current
                        + ": add a replacement to native/c/chelper/glibc.c and GLIBC_REPLACEMENTS, or raise GLIBC_FLOOR");
            }
        }
        return renames;
    }

    /** The newest glibc version objdump -T of a binary names; a dynamically linked binary names at least one. */
    public static String newestRequired(String binary, String objdumpDynamicSymbols) {
        String newest = null;
        Matcher match = VERSION.matcher(objdumpDynamicSymbols);
        while (match.find()) {
            newest = newest == null || compare(match.group(1), newest) > 0 ? match.group(1) : newest;
        }
        if (newest == null) {
            throw new Failure("objdump -T of " + binary + " names no glibc version: its output is not understood,"
                    + " so the glibc check cannot run");
        }
        return newest;
    }

    /** Compares versions part by part as numbers: 2.3 is older than 2.17. */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int difference = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (difference != 0) {
                return difference;
            }
        }
        return 0;
    }
}
