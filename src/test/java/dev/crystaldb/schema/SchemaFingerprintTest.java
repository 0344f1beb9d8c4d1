package dev.crystaldb.schema;

import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaFingerprintTest {
    @TempDir
    Path dir;

    private SchemaFingerprint schemaOf(String name, String... statements) throws Exception {
        Path db = dir.resolve(name + ".db");
        TestDb.execute(db, statements);
        try (Connection connection = TestDb.connect(db)) {
            return new SchemaReader().read(connection);
        }
    }

    @Test
    void whitespaceKeywordCaseAndQuotingDoNotMatter() throws Exception {
        SchemaFingerprint plain = schemaOf("a",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, created DATETIME DEFAULT CURRENT_TIMESTAMP)",
                "CREATE INDEX ix_users_email ON users (email) WHERE email IS NOT NULL",
                "CREATE VIEW v AS SELECT id, email FROM users WHERE email LIKE '%@x'",
                "CREATE TRIGGER t AFTER INSERT ON users BEGIN UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id; END");
        SchemaFingerprint styled = schemaOf("b",
                "create table \"users\" (\n  \"id\"   integer primary key,\n  [email] varchar( 255 )  not null unique,\n  `created` datetime default current_timestamp\n)",
                "create index \"ix_users_email\" on \"users\"(\"email\") where \"email\" is not null",
                "create   view \"v\" as\n select id,email from users where email like '%@x'",
                "CREATE TRIGGER \"t\" AFTER INSERT ON \"users\"\nBEGIN\n  update users set email=lower(new.email) where id=new.id;\nEND");
        assertEquals(List.of(), styled.differencesFrom(plain));
        assertEquals(plain, styled);
    }

    @Test
    void addColumnEqualsTheSameColumnDeclaredInCreateTable() throws Exception {
        SchemaFingerprint declared = schemaOf("a", "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'x', parent INTEGER REFERENCES t(id) ON DELETE SET NULL)");
        SchemaFingerprint added = schemaOf("b", "CREATE TABLE t (id INTEGER PRIMARY KEY)", "ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'x'",
                "ALTER TABLE t ADD COLUMN parent INTEGER REFERENCES t(id) ON DELETE SET NULL");
        assertEquals(List.of(), added.differencesFrom(declared));
    }

    @Test
    void differencesAreReadable() throws Exception {
        SchemaFingerprint expected = schemaOf("a", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                "CREATE INDEX ix_t_name ON t (name)", "CREATE TABLE gone (x)",
                "CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END");
        SchemaFingerprint actual = schemaOf("b", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, extra INT)",
                "CREATE TABLE added (y)", "CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 2; END");
        List<String> differences = actual.differencesFrom(expected);
        assertEquals(List.of(
                "extra table added",
                "missing table gone",
                "extra column t.extra",
                "column t.name differs: expected name TEXT NOT NULL, found name TEXT",
                "table t: missing index (name)",
                "trigger trg differs: expected create trigger trg after insert on t begin select 1;end, found create trigger trg after insert on t begin select 2;end"),
                differences);
    }

    @Test
    void historyAndAlembicTablesAreNotPartOfTheSchema() throws Exception {
        SchemaFingerprint schema = schemaOf("a", "CREATE TABLE alembic_version (version_num VARCHAR(32))",
                "CREATE TABLE flyway_schema_history (x)", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)", "INSERT INTO t DEFAULT VALUES");
        assertEquals(List.of("t"), List.copyOf(schema.tableNames()));
        assertTrue(schema.triggers().isEmpty());
    }

    @Test
    void uniqueConstraintsForeignKeyActionsAndPartialIndexesCount() throws Exception {
        SchemaFingerprint a = schemaOf("a", "CREATE TABLE p (id INTEGER PRIMARY KEY)",
                "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) ON DELETE CASCADE, code TEXT UNIQUE)",
                "CREATE INDEX ix ON c (code) WHERE code IS NOT NULL");
        SchemaFingerprint b = schemaOf("b", "CREATE TABLE p (id INTEGER PRIMARY KEY)",
                "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id), code TEXT)",
                "CREATE INDEX ix ON c (code)");
        List<String> differences = b.differencesFrom(a);
        assertTrue(differences.contains("table c: missing UNIQUE constraint (code)"), differences.toString());
        assertTrue(differences.contains("table c: missing index (code) WHERE code is not null"), differences.toString());
        assertTrue(differences.contains("table c: extra index (code)"), differences.toString());
        assertTrue(differences.contains("table c: missing foreign key (p) REFERENCES p(id) ON DELETE CASCADE"), differences.toString());
    }

    @Test
    void autoincrementIsPartOfATable() throws Exception {
        SchemaFingerprint plain = schemaOf("a", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)");
        SchemaFingerprint counting = schemaOf("b", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT)");
        assertEquals(List.of("table t: expected rowid table, found rowid table AUTOINCREMENT"), counting.differencesFrom(plain));
    }
}
