package dev.crystaldb.migrate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class VersionTest {

    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource({
            "1, 2",
            "1, 1.1",
            "1.1, 1.2",
            "1.2, 1.10",
            "9, 10",
            "2, 20251004120530",
            "20251004120530, 20251004120531",
            "99999999999999999999, 100000000000000000000",
            "1_1, 1.2",
    })
    void ordersNumerically(String lower, String higher) {
        Version low = Version.parseOrNull(lower);
        Version high = Version.parseOrNull(higher);
        assertEquals(-1, Integer.signum(low.compareTo(high)));
        assertEquals(1, Integer.signum(high.compareTo(low)));
    }

    @ParameterizedTest
    @CsvSource({"1.0, 1", "1_0_0, 1", "01, 1", "2.0.1, 2.0.1"})
    void equalValuesAreEqual(String a, String b) {
        assertEquals(Version.parseOrNull(a), Version.parseOrNull(b));
        assertEquals(Version.parseOrNull(a).hashCode(), Version.parseOrNull(b).hashCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "1.", ".1", "1..2", "-1", "v1", "1 2"})
    void rejectsNonVersions(String text) {
        assertNull(Version.parseOrNull(text));
    }

    @ParameterizedTest
    @CsvSource({"1_1, 1.1", "20251004120530, 20251004120530", "3.0, 3"})
    void printsNormalForm(String text, String printed) {
        assertEquals(printed, Version.parseOrNull(text).toString());
    }
}
