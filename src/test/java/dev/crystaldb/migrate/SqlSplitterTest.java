package dev.crystaldb.migrate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlSplitterTest {

    private static List<String> texts(String sql) {
        return SqlSplitter.split(sql).stream().map(SqlStatement::text).toList();
    }

    @Test
    void splitsAtTopLevelSemicolons() {
        assertEquals(List.of("CREATE TABLE a(x)", "INSERT INTO a VALUES (1)"),
                texts("CREATE TABLE a(x);\nINSERT INTO a VALUES (1);\n"));
    }

    @Test
    void keepsTriggerBodiesWhole() {
        String trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (NEW.x);\n  UPDATE c SET n = n + 1;\nEND";
        assertEquals(List.of(trigger, "SELECT 1"), texts(trigger + ";\nSELECT 1;"));
    }

    @Test
    void keepsTemporaryTriggersAndCaseInsideBodiesWhole() {
        String trigger = "create temp trigger if not exists t before update on a for each row begin\n"
                + "  select case when new.x < 0 then raise(abort, 'negative; no') else 1 end;\n"
                + "  insert into log values (case new.x when 1 then 'one' else 'many' end);\nend";
        assertEquals(List.of(trigger), texts(trigger + ";"));
    }

    @Test
    void caseOutsideTriggersNeedsNoTracking() {
        assertEquals(List.of("SELECT CASE WHEN 1 THEN 'a;b' END", "SELECT 2"), texts("SELECT CASE WHEN 1 THEN 'a;b' END; SELECT 2;"));
    }

    @Test
    void semicolonsInStringsIdentifiersAndCommentsDoNotSplit() {
        String sql = "INSERT INTO t VALUES ('a;b', 'it''s; fine'); -- comment; here\n"
                + "CREATE TABLE \"we;ird\" ([col;1] TEXT, `col;2` TEXT); /* block; comment */\n"
                + "SELECT 1";
        assertEquals(List.of("INSERT INTO t VALUES ('a;b', 'it''s; fine')",
                "CREATE TABLE \"we;ird\" ([col;1] TEXT, `col;2` TEXT)", "SELECT 1"), texts(sql));
    }

    @Test
    void beginAndCommitOutsideTriggersAreStatementsOfTheirOwn() {
        assertEquals(List.of("PRAGMA foreign_keys=OFF", "BEGIN", "CREATE TABLE x(a)", "COMMIT", "PRAGMA foreign_keys=ON"),
                texts("PRAGMA foreign_keys=OFF;\nBEGIN;\nCREATE TABLE x(a);\nCOMMIT;\nPRAGMA foreign_keys=ON;\n"));
    }

    @Test
    void crlfFilesAndLineNumbers() {
        List<SqlStatement> statements = SqlSplitter.split("-- header\r\nCREATE TABLE a(x);\r\n\r\nCREATE TABLE b(\r\n y);\r\n");
        assertEquals(2, statements.size());
        assertEquals(2, statements.get(0).line());
        assertEquals(4, statements.get(1).line());
        assertTrue(statements.get(1).text().startsWith("CREATE TABLE b("));
    }

    @Test
    void rangesCoverTheStatementAndItsSemicolon() {
        String sql = "  SELECT 1 ;  SELECT 2;";
        SqlStatement first = SqlSplitter.split(sql).get(0);
        assertEquals("SELECT 1 ;", sql.substring(first.start(), first.end()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   \n\n", "-- only a comment\n", "/* block */", ";;\n;", "-- a\r\n/* b */\r\n"})
    void emptyAndCommentOnlyScriptsHaveNoStatements(String sql) {
        assertEquals(List.of(), texts(sql));
    }

    @Test
    void aLastStatementWithoutSemicolonCounts() {
        assertEquals(List.of("SELECT 1", "SELECT 2 -- trailing"), texts("SELECT 1;\nSELECT 2 -- trailing"));
    }

    @Test
    void leadingWordsSkipComments() {
        SqlStatement statement = SqlSplitter.split("PRAGMA /* x */ foreign_keys = OFF;").get(0);
        assertEquals(List.of("PRAGMA", "FOREIGN_KEYS"), statement.leadingWords(2));
    }
}
