package dev.crystaldb.schema;

import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaFingerprintTest {
    @TempDir
    Path dir;

    private int databases;

    private SchemaFingerprint schemaOf(String... statements) throws Exception {
        Path db = dir.resolve("db" + (++databases) + ".db");
        TestDb.execute(db, statements);
        try (Connection connection = TestDb.connect(db)) {
            return new SchemaReader().read(connection);
        }
    }

    /** SAME: nothing to report; EQUIVALENT: notes only; DIFFERENT: a difference. */
    enum Verdict { SAME, EQUIVALENT, DIFFERENT }

    /**
     * One pair of schemas, how they compare (both ways), and a fragment of the note or difference
     * reported for "second against first". probe: also insert DEFAULT VALUES into table t of both
     * and check through SQLite that the stored values are equal exactly when the verdict says so.
     */
    record Pair(String name, List<String> first, List<String> second, Verdict verdict, String fragment, boolean probe) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Pair pair(String name, String first, String second, Verdict verdict, String fragment) {
        return new Pair(name, List.of(first.split(";\\s*")), List.of(second.split(";\\s*")), verdict, fragment, false);
    }

    private static Pair probed(String name, String first, String second, Verdict verdict, String fragment) {
        return new Pair(name, List.of(first), List.of(second), verdict, fragment, true);
    }

    static Stream<Pair> pairs() {
        return Stream.of(
                // written differently, the same in SQLite
                pair("rowid alias with NOT NULL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, v TEXT)", Verdict.EQUIVALENT, "an INTEGER PRIMARY KEY is the rowid and never NULL"),
                pair("rowid alias as a table constraint (SQLAlchemy)", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                        "CREATE TABLE t (id INTEGER NOT NULL, v TEXT, PRIMARY KEY (id))", Verdict.EQUIVALENT, "rowid"),
                probed("DEFAULT 0 and '0' in a NUMERIC column", "CREATE TABLE t (v NUMERIC NOT NULL DEFAULT 0)",
                        "CREATE TABLE t (v NUMERIC NOT NULL DEFAULT '0')", Verdict.EQUIVALENT, "both defaults store integer 0 (NUMERIC affinity)"),
                probed("DEFAULT ((0)) and 0", "CREATE TABLE t (v INTEGER DEFAULT 0)", "CREATE TABLE t (v INTEGER DEFAULT ((0)))",
                        Verdict.EQUIVALENT, "integer 0"),
                probed("DEFAULT 5 and '5' in a TEXT column", "CREATE TABLE t (v VARCHAR(3) DEFAULT 5)", "CREATE TABLE t (v VARCHAR(3) DEFAULT '5')",
                        Verdict.EQUIVALENT, "text '5'"),
                probed("DEFAULT 1 and 1.0 in a REAL column", "CREATE TABLE t (v FLOAT DEFAULT 1)", "CREATE TABLE t (v FLOAT DEFAULT 1.0)",
                        Verdict.EQUIVALENT, "real 1.0"),
                probed("DEFAULT TRUE and '1' in a BOOLEAN column", "CREATE TABLE t (v BOOLEAN DEFAULT TRUE)", "CREATE TABLE t (v BOOLEAN DEFAULT '1')",
                        Verdict.EQUIVALENT, "integer 1"),
                probed("DEFAULT ' 12 ' and 12.0 in a NUMERIC column", "CREATE TABLE t (v DECIMAL(10, 2) DEFAULT ' 12 ')",
                        "CREATE TABLE t (v DECIMAL(10, 2) DEFAULT 12.0)", Verdict.EQUIVALENT, "integer 12"),
                probed("DEFAULT NULL and none", "CREATE TABLE t (v TEXT)", "CREATE TABLE t (v TEXT DEFAULT NULL)", Verdict.EQUIVALENT, "NULL"),
                pair("type sizes and names of one affinity", "CREATE TABLE t (a VARCHAR(255), b DATETIME, c INT)",
                        "CREATE TABLE t (a VARCHAR(100), b DATE, c BIGINT)", Verdict.EQUIVALENT, "VARCHAR(255) and VARCHAR(100) both have TEXT affinity"),
                pair("UNIQUE constraint and unique index", "CREATE TABLE t (email TEXT UNIQUE)",
                        "CREATE TABLE t (email TEXT); CREATE UNIQUE INDEX ix_t_email ON t (email)", Verdict.EQUIVALENT, "enforce the same"),
                pair("an index's name", "CREATE TABLE t (a, b); CREATE INDEX ix_a ON t (a, b)",
                        "CREATE TABLE t (a, b); CREATE INDEX t_a_b_idx ON t (a, b)", Verdict.EQUIVALENT, "an index's name does not change what it does"),
                pair("a reference to the target's primary key with and without columns",
                        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))",
                        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p)", Verdict.EQUIVALENT, "the target's primary key"),
                pair("column order", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)", "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, a TEXT)",
                        Verdict.EQUIVALENT, "columns in the order (id, b, a), expected (id, a, b)"),
                pair("NOT NULL on the primary key of a WITHOUT ROWID table", "CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID",
                        "CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY, v) WITHOUT ROWID", Verdict.SAME, null),
                pair("column and table CHECK, spacing, quotes and parentheses", "CREATE TABLE t (amount NUMERIC CHECK (amount >= 0))",
                        "CREATE TABLE t (\"amount\" NUMERIC, CONSTRAINT positive CHECK ((\"Amount\">=0)))", Verdict.SAME, null),
                pair("COLLATE BINARY is the default", "CREATE TABLE t (a TEXT)", "CREATE TABLE t (a TEXT COLLATE BINARY)", Verdict.SAME, null),
                pair("IF NOT EXISTS and identifier quoting", "CREATE TABLE t (a TEXT, b INT REFERENCES t(a) ON DELETE CASCADE)",
                        "CREATE TABLE IF NOT EXISTS \"t\" ([a] TEXT, `b` INT, FOREIGN KEY (b) REFERENCES \"t\" (a) ON DELETE CASCADE)", Verdict.SAME, null),
                // a difference in what SQLite does
                pair("INT PRIMARY KEY is not the rowid", "CREATE TABLE t (id INTEGER PRIMARY KEY)", "CREATE TABLE t (id INT PRIMARY KEY)",
                        Verdict.DIFFERENT, "not an alias of the rowid"),
                pair("INTEGER PRIMARY KEY DESC is not the rowid", "CREATE TABLE t (id INTEGER PRIMARY KEY)", "CREATE TABLE t (id INTEGER PRIMARY KEY DESC)",
                        Verdict.DIFFERENT, "not an alias of the rowid"),
                probed("DEFAULT 0 and '0' in a column without a type", "CREATE TABLE t (v DEFAULT 0)", "CREATE TABLE t (v DEFAULT '0')",
                        Verdict.DIFFERENT, "the default stores text '0' instead of integer 0"),
                probed("DEFAULT '1.5' and '1.50' in a TEXT column",
                        "CREATE TABLE t (v TEXT DEFAULT '1.5')", "CREATE TABLE t (v TEXT DEFAULT '1.50')", Verdict.DIFFERENT, "the default stores"),
                probed("DEFAULT '0x10' is text in a NUMERIC column", "CREATE TABLE t (v NUMERIC DEFAULT 16)", "CREATE TABLE t (v NUMERIC DEFAULT '0x10')",
                        Verdict.DIFFERENT, "text '0x10'"),
                pair("another affinity", "CREATE TABLE t (a TEXT)", "CREATE TABLE t (a INTEGER)", Verdict.DIFFERENT, "INTEGER affinity instead of TEXT"),
                pair("INTEGER and NUMERIC affinity", "CREATE TABLE t (a BOOLEAN)", "CREATE TABLE t (a INTEGER)", Verdict.DIFFERENT, "INTEGER affinity instead of NUMERIC"),
                pair("NOT NULL on a plain column", "CREATE TABLE t (a TEXT)", "CREATE TABLE t (a TEXT NOT NULL)", Verdict.DIFFERENT, "NULL refused"),
                pair("NOT NULL on a primary key that is not the rowid", "CREATE TABLE t (k TEXT PRIMARY KEY)", "CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY)",
                        Verdict.DIFFERENT, "NULL refused"),
                pair("a CHECK that differs", "CREATE TABLE t (amount NUMERIC CHECK (amount >= 0))", "CREATE TABLE t (amount NUMERIC CHECK (amount > 0))",
                        Verdict.DIFFERENT, "missing CHECK (amount>=0)"),
                pair("a CHECK dropped (Alembic's batch mode does this)", "CREATE TABLE t (amount NUMERIC, CHECK (amount >= 0))", "CREATE TABLE t (amount NUMERIC)",
                        Verdict.DIFFERENT, "missing CHECK (amount>=0)"),
                pair("a UNIQUE dropped", "CREATE TABLE t (email TEXT UNIQUE)", "CREATE TABLE t (email TEXT)", Verdict.DIFFERENT, "missing UNIQUE constraint (email)"),
                pair("a unique index made plain", "CREATE TABLE t (a); CREATE UNIQUE INDEX ix ON t (a)", "CREATE TABLE t (a); CREATE INDEX ix ON t (a)",
                        Verdict.DIFFERENT, "missing unique index ix (a)"),
                pair("a collation", "CREATE TABLE t (a TEXT)", "CREATE TABLE t (a TEXT COLLATE NOCASE)", Verdict.DIFFERENT, "collation nocase"),
                pair("a partial index's WHERE", "CREATE TABLE t (a); CREATE INDEX ix ON t (a) WHERE a IS NOT NULL",
                        "CREATE TABLE t (a); CREATE INDEX ix ON t (a) WHERE a > 0", Verdict.DIFFERENT, "missing index ix (a) WHERE a is not null"),
                pair("an expression index", "CREATE TABLE t (a); CREATE INDEX ix ON t (lower(a))", "CREATE TABLE t (a); CREATE INDEX ix ON t (upper(a))",
                        Verdict.DIFFERENT, "missing index ix ((lower(a)))"),
                pair("a descending index", "CREATE TABLE t (a); CREATE INDEX ix ON t (a)", "CREATE TABLE t (a); CREATE INDEX ix ON t (a DESC)",
                        Verdict.DIFFERENT, "extra index ix (a desc)"),
                pair("ON DELETE CASCADE", "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id) ON DELETE CASCADE)",
                        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))", Verdict.DIFFERENT,
                        "missing foreign key (p) REFERENCES p(id) ON DELETE CASCADE"),
                pair("a deferred foreign key", "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))",
                        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)",
                        Verdict.DIFFERENT, "extra foreign key (p) REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED"),
                pair("AUTOINCREMENT", "CREATE TABLE t (id INTEGER PRIMARY KEY)", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)",
                        Verdict.DIFFERENT, "expected rowid table, found AUTOINCREMENT"),
                pair("STRICT", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT) STRICT",
                        Verdict.DIFFERENT, "found STRICT"),
                pair("WITHOUT ROWID", "CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY)", "CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID",
                        Verdict.DIFFERENT, "found WITHOUT ROWID"),
                pair("a generated column's expression", "CREATE TABLE t (a INT, b INT AS (a * 2))", "CREATE TABLE t (a INT, b INT AS (a * 3))",
                        Verdict.DIFFERENT, "generated as (a*3)"),
                pair("a time default", "CREATE TABLE t (a DATETIME DEFAULT CURRENT_TIMESTAMP)", "CREATE TABLE t (a DATETIME DEFAULT CURRENT_DATE)",
                        Verdict.DIFFERENT, "expression current_date instead of expression current_timestamp"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void comparesBySqlitesMeaningBothWays(Pair pair) throws Exception {
        SchemaFingerprint first = schemaOf(pair.first().toArray(String[]::new));
        SchemaFingerprint second = schemaOf(pair.second().toArray(String[]::new));
        SchemaComparison forward = second.compareWith(first);
        SchemaComparison backward = first.compareWith(second);
        for (SchemaComparison comparison : List.of(forward, backward)) {
            switch (pair.verdict()) {
                case SAME -> assertEquals(new SchemaComparison(List.of(), List.of()), comparison);
                case EQUIVALENT -> {
                    assertEquals(List.of(), comparison.differences(), "equivalent in SQLite, so no difference");
                    assertTrue(!comparison.equivalences().isEmpty(), "reported as a note: " + comparison);
                }
                case DIFFERENT -> assertTrue(!comparison.differences().isEmpty(), "a difference SQLite acts on: " + comparison);
            }
        }
        if (pair.fragment() != null) {
            List<String> reported = pair.verdict() == Verdict.EQUIVALENT ? forward.equivalences() : forward.differences();
            assertTrue(reported.stream().anyMatch(r -> r.contains(pair.fragment())), reported.toString());
        }
        if (pair.probe()) {
            String firstValue = storedDefault(pair.first());
            String secondValue = storedDefault(pair.second());
            if (pair.verdict() == Verdict.DIFFERENT) {
                assertNotEquals(firstValue, secondValue, "SQLite stores different values");
            } else {
                assertEquals(firstValue, secondValue, "SQLite stores the same value");
            }
        }
    }

    /** What SQLite itself stores as the default of t.v: its storage class and value. */
    private String storedDefault(List<String> ddl) throws Exception {
        Path db = dir.resolve("probe" + (++databases) + ".db");
        TestDb.execute(db, ddl.toArray(String[]::new));
        TestDb.execute(db, "INSERT INTO t DEFAULT VALUES");
        return TestDb.strings(db, "SELECT typeof(v) || ' ' || quote(v) FROM t").get(0);
    }

    @Test
    void whitespaceKeywordCaseAndQuotingDoNotMatter() throws Exception {
        SchemaFingerprint plain = schemaOf(
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, created DATETIME DEFAULT CURRENT_TIMESTAMP)",
                "CREATE INDEX ix_users_email ON users (email) WHERE email IS NOT NULL",
                "CREATE VIEW v AS SELECT id, email FROM users WHERE email LIKE '%@x'",
                "CREATE TRIGGER t AFTER INSERT ON users BEGIN UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id; END");
        SchemaFingerprint styled = schemaOf(
                "create table \"users\" (\n  \"id\"   integer primary key,\n  [email] varchar( 255 )  not null unique,\n  `created` datetime default current_timestamp\n)",
                "create index \"ix_users_email\" on \"users\"(\"email\") where \"email\" is not null",
                "create   view \"v\" as\n select id,email from users where email like '%@x'",
                "CREATE TRIGGER \"t\" AFTER INSERT ON \"users\"\nBEGIN\n  update users set email=lower(new.email) where id=new.id;\nEND");
        assertEquals(new SchemaComparison(List.of(), List.of()), styled.compareWith(plain));
    }

    @Test
    void addColumnEqualsTheSameColumnDeclaredInCreateTable() throws Exception {
        SchemaFingerprint declared = schemaOf("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'x', parent INTEGER REFERENCES t(id) ON DELETE SET NULL)");
        SchemaFingerprint added = schemaOf("CREATE TABLE t (id INTEGER PRIMARY KEY)", "ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'x'",
                "ALTER TABLE t ADD COLUMN parent INTEGER REFERENCES t(id) ON DELETE SET NULL");
        assertEquals(new SchemaComparison(List.of(), List.of()), added.compareWith(declared));
    }

    @Test
    void differencesAreReadable() throws Exception {
        SchemaFingerprint expected = schemaOf("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                "CREATE INDEX ix_t_name ON t (name)", "CREATE TABLE gone (x)",
                "CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END");
        SchemaFingerprint actual = schemaOf("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, extra INT)",
                "CREATE TABLE added (y)", "CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 2; END");
        assertEquals(List.of(
                "extra table added",
                "missing table gone",
                "extra column t.extra",
                "column t.name differs: expected name TEXT NOT NULL, found name TEXT (NULL allowed)",
                "table t: missing index ix_t_name (name)",
                "trigger trg differs: expected create trigger trg after insert on t begin select 1;end, found create trigger trg after insert on t begin select 2;end"),
                actual.differencesFrom(expected));
    }

    @Test
    void historyAndAlembicTablesAreNotPartOfTheSchema() throws Exception {
        SchemaFingerprint schema = schemaOf("CREATE TABLE alembic_version (version_num VARCHAR(32))",
                "CREATE TABLE flyway_schema_history (x)", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)", "INSERT INTO t DEFAULT VALUES");
        assertEquals(List.of("t"), List.copyOf(schema.tableNames()));
        assertTrue(schema.triggers().isEmpty());
    }

    @Test
    void sqlalchemysDdlForTheBundledInitialSchemaIsEquivalent() throws Exception {
        SchemaFingerprint handWritten = schemaOf(
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE)",
                "CREATE TABLE categories (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, "
                        + "limit_type VARCHAR(10) NOT NULL DEFAULT 'fixed' CHECK (limit_type IN ('fixed', 'percent')), value NUMERIC NOT NULL DEFAULT 0, "
                        + "created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)");
        // what SQLAlchemy's create_all and Alembic's op.create_table emit for the same models
        SchemaFingerprint sqlalchemy = schemaOf(
                "CREATE TABLE users (\n\tid INTEGER NOT NULL, \n\temail VARCHAR(255) NOT NULL, \n\tPRIMARY KEY (id), \n\tUNIQUE (email)\n)",
                "CREATE TABLE categories (\n\tid INTEGER NOT NULL, \n\tuser_id INTEGER NOT NULL, \n\tlimit_type VARCHAR(10) DEFAULT 'fixed' NOT NULL, "
                        + "\n\tvalue NUMERIC DEFAULT '0' NOT NULL, \n\tcreated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL, \n\tPRIMARY KEY (id), "
                        + "\n\tCHECK (limit_type IN ('fixed', 'percent')), \n\tFOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE\n)");
        SchemaComparison comparison = sqlalchemy.compareWith(handWritten);
        assertEquals(List.of(), comparison.differences());
        assertEquals(3, comparison.equivalences().size(), comparison.toString());
    }
}
