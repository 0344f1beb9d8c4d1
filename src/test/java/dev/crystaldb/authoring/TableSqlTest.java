package dev.crystaldb.authoring;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CREATE TABLE text cut into its parts, and identifiers written back as SQL. */
class TableSqlTest {
    private static TableSql parse(String sql) {
        return TableSql.parse(sql).orElseThrow();
    }

    @Test
    void columnsAndConstraintsAreCutAtTopLevelCommasOnly() {
        TableSql table = parse("CREATE TABLE \"a(b\" (\n  id INTEGER PRIMARY KEY,\n  amount NUMERIC(10, 2) NOT NULL CHECK (amount >= 0), -- money, in cents\n"
                + "  note TEXT DEFAULT 'a, b)',\n  \"select\" TEXT,\n  UNIQUE (note, amount)\n) WITHOUT ROWID");
        assertEquals(5, table.elements().size(), table.elements().toString());
        assertEquals(Optional.of("amount NUMERIC(10, 2) NOT NULL CHECK (amount >= 0)"), table.column("amount"));
        assertEquals(Optional.of("note TEXT DEFAULT 'a, b)'"), table.column("NOTE"), "names compare case-insensitively");
        assertEquals(Optional.of("\"select\" TEXT"), table.column("select"));
        assertEquals(Optional.empty(), table.column("unique"), "a table constraint is no column");
        assertEquals("CREATE TABLE new_a (\n  id INTEGER PRIMARY KEY,\n  amount NUMERIC(10, 2) NOT NULL CHECK (amount >= 0), -- money, in cents\n"
                + "  note TEXT DEFAULT 'a, b)',\n  \"select\" TEXT,\n  UNIQUE (note, amount)\n) WITHOUT ROWID", table.named("new_a"));
    }

    @Test
    void aCommentAtTheEndOfAColumnDoesNotSwallowWhatFollows() {
        TableSql table = parse("CREATE TABLE t (x TEXT /* the x */ NOT NULL, y INT -- last\n)");
        assertEquals(Optional.of("x TEXT NOT NULL"), table.column("x"));
        assertEquals(Optional.of("y INT"), table.column("y"));
    }

    @Test
    void autoincrementIsSeenInAColumnNotInAString() {
        assertTrue(parse("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x)").autoincrement());
        assertFalse(parse("CREATE TABLE t (id INTEGER PRIMARY KEY, x DEFAULT 'autoincrement', \"autoincrement\" TEXT)").autoincrement());
        assertEquals(Optional.empty(), TableSql.parse("CREATE VIRTUAL TABLE docs USING fts5"));
    }

    @Test
    void identifiersAreQuotedOnlyWhenTheyMustBe() {
        for (String[] c : List.of(new String[]{"users", "users"}, new String[]{"order", "\"order\""}, new String[]{"Group", "\"Group\""},
                new String[]{"my table", "\"my table\""}, new String[]{"a\"b", "\"a\"\"b\""}, new String[]{"_x1", "_x1"}, new String[]{"1x", "\"1x\""})) {
            assertEquals(c[1], SqlTokens.quote(c[0]), c[0]);
        }
        assertEquals("'it''s'", SqlTokens.literal("it's"));
        assertEquals("a\"b", SqlTokens.leadingIdentifier("\"a\"\"b\" TEXT"));
        assertEquals("x y", SqlTokens.leadingIdentifier("[x y] TEXT"));
    }

    @Test
    void mentionsFindsANameAsAWordOnly() {
        assertTrue(SqlTokens.mentions("CREATE TRIGGER t AFTER INSERT ON log BEGIN UPDATE \"Users\" SET n = 1; END", "users"));
        assertTrue(SqlTokens.mentions("CREATE VIEW v AS SELECT * FROM main.users", "users"));
        assertFalse(SqlTokens.mentions("CREATE VIEW v AS SELECT * FROM users_archive", "users"));
    }
}
