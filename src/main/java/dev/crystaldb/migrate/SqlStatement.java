package dev.crystaldb.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One statement found by {@link SqlSplitter}: its text without the closing semicolon, the line it
 * starts on, and the range [start, end) it covers in the script (end includes the semicolon).
 */
public record SqlStatement(String text, int line, int start, int end) {
    // compiled once: every run reads the first words of every statement of the set
    private static final Pattern BLOCK_COMMENT = Pattern.compile("(?s)/\\*.*?\\*/");
    private static final Pattern LINE_COMMENT = Pattern.compile("--[^\\n]*");
    private static final Pattern NOT_A_WORD = Pattern.compile("[^A-Za-z0-9_]+");

    /** The first words of the statement in upper case, comments skipped: ["PRAGMA", "FOREIGN_KEYS", ...]. */
    public List<String> leadingWords(int count) {
        String withoutComments = LINE_COMMENT.matcher(BLOCK_COMMENT.matcher(text).replaceAll(" ")).replaceAll(" ");
        List<String> words = new ArrayList<>();
        for (String word : NOT_A_WORD.split(withoutComments)) {
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
