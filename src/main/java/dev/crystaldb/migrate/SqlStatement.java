package dev.crystaldb.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One statement found by {@link SqlSplitter}: its text without the closing semicolon, the line it
 * starts on, and the range [start, end) it covers in the script (end includes the semicolon).
 */
public record SqlStatement(String text, int line, int start, int end) {

    /** The first words of the statement in upper case, comments skipped: ["PRAGMA", "FOREIGN_KEYS", ...]. */
    public List<String> leadingWords(int count) {
        String withoutComments = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\\n]*", " ");
        List<String> words = new ArrayList<>();
        for (String word : withoutComments.split("[^A-Za-z0-9_]+")) {
            if (!word.isEmpty()) {
                words.add(word.toUpperCase(Locale.ROOT));
                if (words.size() == count) {
                    break;
                }
            }
        }
        return words;
    }

    public String firstWord() {
        List<String> words = leadingWords(1);
        return words.isEmpty() ? "" : words.get(0);
    }
}
