package dev.crystaldb.schema;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * A column's DEFAULT by what SQLite stores, not by how it is written: a literal becomes the value
 * the column's affinity turns it into (DEFAULT 0, DEFAULT '0' and DEFAULT (0) all store the
 * integer 0 in a NUMERIC column, but not in a column without a type); anything else is compared
 * as a normalized expression. When unsure the meaning stays distinct, so an equivalence is only
 * claimed where SQLite's documented conversion guarantees it.
 */
public record DefaultValue(String written, String meaning) {
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** The default as PRAGMA table_xinfo reports it (null: none, which stores NULL like DEFAULT NULL); written is kept normalized. */
    public static DefaultValue of(String written, Affinity affinity) {
        if (written == null) {
            return new DefaultValue(null, "NULL");
        }
        List<SqlText.Token> tokens = SqlText.tokens(written);
        while (tokens.size() >= 2 && tokens.get(0).isSymbol("(") && SqlText.closingParenthesis(tokens, 0) == tokens.size() - 1) {
            tokens = tokens.subList(1, tokens.size() - 1);
        }
        Object literal = literal(tokens);
        String meaning = literal == null ? "expression " + SqlText.join(tokens) : render(stored(literal, affinity));
        return new DefaultValue(SqlText.normalize(written), meaning);
    }

    /** Marks a literal NULL apart from "not a literal" (null). */
    private enum Null { NULL }

    /** A literal's value: BigInteger, Double, String (text), byte[] hex as Blob, Null; null when it is no literal. */
    private static Object literal(List<SqlText.Token> tokens) {
        if (tokens.size() == 1) {
            SqlText.Token token = tokens.get(0);
            return switch (token.kind()) {
                case STRING -> new Text(unquote(token.text()));
                case WORD -> switch (token.text()) {
                    case "null" -> Null.NULL;
                    case "true" -> BigInteger.ONE;
                    case "false" -> BigInteger.ZERO;
                    default -> number(token.text(), false);
                };
                default -> null;
            };
        }
        if (tokens.size() == 2 && tokens.get(0).is("x") && tokens.get(1).kind() == SqlText.Kind.STRING) {
            return new Blob(unquote(tokens.get(1).text()).toUpperCase(Locale.ROOT));
        }
        if (tokens.size() == 2 && (tokens.get(0).isSymbol("-") || tokens.get(0).isSymbol("+")) && tokens.get(1).kind() == SqlText.Kind.WORD) {
            Object number = number(tokens.get(1).text(), false);
            if (number instanceof BigInteger integer) {
                return tokens.get(0).isSymbol("-") ? integer.negate() : integer;
            }
            if (number instanceof Double real) {
                return tokens.get(0).isSymbol("-") ? -real : real;
            }
        }
        return null;
    }

    private record Text(String value) {
    }

    private record Blob(String hex) {
    }

    /** A numeric literal (hexadecimal only in SQL, never in text that affinity converts), or null. */
    private static Object number(String text, boolean fromText) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (!fromText && t.matches("0x[0-9a-f]+")) {
                BigInteger hex = new BigInteger(t.substring(2), 16);
                return hex.bitLength() <= 64 ? BigInteger.valueOf(hex.longValue()) : null;
            }
            String unsigned = fromText && (t.startsWith("+") || t.startsWith("-")) ? t.substring(1) : t;
            if (unsigned.matches("[0-9]+")) {
                BigInteger integer = new BigInteger(t.startsWith("+") ? t.substring(1) : t);
                return integer.compareTo(LONG_MIN) >= 0 && integer.compareTo(LONG_MAX) <= 0 ? integer : integer.doubleValue();
            }
            if (unsigned.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) {
                return Double.parseDouble(t);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** The value a column of this affinity stores for the literal (section 3 of datatype3.html). */
    private static Object stored(Object value, Affinity affinity) {
        return switch (affinity) {
            case TEXT -> value instanceof BigInteger integer ? new Text(integer.toString()) : value instanceof Double real ? new RealAsText(real) : value;
            case INTEGER, NUMERIC -> {
                Object number = value instanceof Text text ? number(text.value(), true) : value;
                if (number == null) {
                    yield value;
                }
                yield number instanceof Double real ? integralOrReal(real) : number;
            }
            case REAL -> {
                Object number = value instanceof Text text ? number(text.value(), true) : value;
                yield number instanceof BigInteger integer ? integer.doubleValue() : number == null ? value : number;
            }
            case BLOB -> value;
        };
    }

    /** A real in a TEXT column is stored as SQLite's own rendering of it, which only another real of the same value matches. */
    private record RealAsText(double value) {
    }

    private static Object integralOrReal(double real) {
        if (real == Math.rint(real) && !Double.isInfinite(real) && Math.abs(real) < 9.2e18) {
            return new BigDecimal(real).toBigInteger();
        }
        return real;
    }

    private static String render(Object value) {
        if (value instanceof BigInteger integer) {
            return "integer " + integer;
        }
        if (value instanceof Double real) {
            return "real " + real;
        }
        if (value instanceof Text text) {
            return "text '" + text.value().replace("'", "''") + "'";
        }
        if (value instanceof RealAsText real) {
            return "text of real " + real.value();
        }
        if (value instanceof Blob blob) {
            return "blob X'" + blob.hex() + "'";
        }
        return "NULL";
    }

    private static String unquote(String literal) {
        String inner = literal.length() >= 2 ? literal.substring(1, literal.length() - 1) : "";
        return inner.replace("''", "'");
    }

    @Override
    public String toString() {
        return written == null ? "" : " DEFAULT " + written;
    }
}
