package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationScriptTest {

    private static MigrationScript prepare(String sql) {
        return MigrationScript.prepare(MigrationFile.parse("V7__rebuild.sql", sql));
    }

    @Test
    void dropsTheFilesOwnTransactionAndForeignKeySwitches() {
        String sql = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE n(a);\nDROP TABLE o;\nCOMMIT;\nPRAGMA foreign_keys = ON;\n";
        MigrationScript script = prepare(sql);
        assertEquals(2, script.statements().size());
        assertEquals("CREATE TABLE n(a)", script.statements().get(0).text());
        // blanked in place: same length, same lines, nothing but the kept statements left
        assertEquals(sql.length(), script.runnableSql().length());
        assertEquals(sql.lines().count(), script.runnableSql().lines().count());
        assertFalse(script.runnableSql().contains("BEGIN"));
        assertFalse(script.runnableSql().contains("PRAGMA"));
        assertTrue(script.runnableSql().contains("DROP TABLE o;"));
    }

    @Test
    void keepsTriggerBodiesAndEndInsideThem() {
        MigrationScript script = prepare("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;\nEND;");
        assertEquals(1, script.statements().size());
        assertTrue(script.runnableSql().startsWith("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"VACUUM;", "vacuum into '/tmp/x.db';", "PRAGMA journal_mode=WAL;", "ATTACH 'x.db' AS x;",
            "DETACH x;", "ROLLBACK;"})
    void refusesStatementsThatCannotRunInTheUnit(String statement) {
        MigrationScript script = prepare("CREATE TABLE a(x);\n" + statement + "\n");
        assertEquals(1, script.refusals().size());
        CrystalDbException error = assertThrows(CrystalDbException.class, script::requireRunnable);
        assertEquals(ExitCode.USAGE, error.exitCode());
        assertTrue(error.getMessage().startsWith("V7__rebuild.sql line 2: "), error.getMessage());
    }

    @Test
    void savepointsAndOtherPragmasAreAllowed() {
        MigrationScript script = prepare("SAVEPOINT s; PRAGMA legacy_alter_table=ON; ROLLBACK TO s; RELEASE s;");
        assertEquals(4, script.statements().size());
        assertEquals(0, script.refusals().size());
    }
}
