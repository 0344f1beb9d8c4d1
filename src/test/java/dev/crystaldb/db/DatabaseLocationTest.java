package dev.crystaldb.db;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatabaseLocationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "/var/lib/app/budget.db, /var/lib/app/budget.db",
            "jdbc:sqlite:/var/lib/app/budget.db, /var/lib/app/budget.db",
            "jdbc:sqlite:file:/var/lib/app/budget.db, /var/lib/app/budget.db",
            "sqlite:////var/lib/crystalbudget/budget.db, /var/lib/crystalbudget/budget.db",
            "sqlite:////opt/app/instance/budget.db?mode=rw, /opt/app/instance/budget.db",
            "/var/lib/app/../app/budget.db, /var/lib/app/budget.db",
    })
    void absoluteForms(String given, String expected) {
        assertEquals(Path.of(expected), DatabaseLocation.parse(given));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "budget.db, budget.db",
            "sqlite:///instance/budget.db, instance/budget.db",
            "jdbc:sqlite:data/bot.db, data/bot.db",
    })
    void relativeFormsResolveAgainstTheWorkingDirectory(String given, String expected) {
        assertEquals(Path.of(expected).toAbsolutePath(), DatabaseLocation.parse(given));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "  ", "sqlite://", "sqlite:budget.db", "jdbc:sqlite::memory:", ":memory:", "jdbc:sqlite:"})
    void refusesWhatIsNotAFile(String given) {
        CrystalDbException error = assertThrows(CrystalDbException.class, () -> DatabaseLocation.parse(given));
        assertEquals(ExitCode.USAGE, error.exitCode());
    }
}
