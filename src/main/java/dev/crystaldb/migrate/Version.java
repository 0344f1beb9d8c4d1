package dev.crystaldb.migrate;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A migration version: dot-separated numbers compared numerically (1 < 1.1 < 2 < 20251004120530); 1.0 equals 1. */
public final class Version implements Comparable<Version> {
    // compiled once: every run parses the versions of the whole set and of the history
    private static final Pattern VERSION = Pattern.compile("\\d+([._]\\d+)*");
    private static final Pattern SEPARATOR = Pattern.compile("[._]");

    private final List<BigInteger> parts;
    private final String text;

    private Version(List<BigInteger> parts, String text) {
        this.parts = parts;
        this.text = text;
    }

    /** Parses "1", "1.1" or the file-name form "1_1"; null when the text is not a version. */
    public static Version parseOrNull(String raw) {
        if (raw == null || !VERSION.matcher(raw).matches()) {
            return null;
        }
        List<BigInteger> parts = new ArrayList<>();
        for (String piece : SEPARATOR.split(raw)) {
            parts.add(new BigInteger(piece));
        }
        // trailing zeros do not change the value: 1.0 is 1
        while (parts.size() > 1 && parts.get(parts.size() - 1).signum() == 0) {
            parts.remove(parts.size() - 1);
        }
        StringBuilder text = new StringBuilder();
        for (BigInteger part : parts) {
            text.append(text.length() == 0 ? "" : ".").append(part);
        }
        return new Version(List.copyOf(parts), text.toString());
    }

    public static boolean isVersion(String raw) {
        return parseOrNull(raw) != null;
    }

    @Override
    public int compareTo(Version other) {
        int length = Math.max(parts.size(), other.parts.size());
        for (int i = 0; i < length; i++) {
            BigInteger mine = i < parts.size() ? parts.get(i) : BigInteger.ZERO;
            BigInteger theirs = i < other.parts.size() ? other.parts.get(i) : BigInteger.ZERO;
            int order = mine.compareTo(theirs);
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }

    public BigInteger major() {
        return parts.get(0);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Version version && compareTo(version) == 0;
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
