package dev.crystaldb.migrate;

import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.support.Alembic;
import dev.crystaldb.support.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationSetTest {
    @TempDir
    Path dir;

    @Test
    void bundledSetIsTheExampleHistoryWithUndoScripts() {
        MigrationSet set = MigrationSet.bundled().requireValid();
        assertEquals(5, set.forwards().size());
        for (MigrationFile file : set.forwards()) {
            assertTrue(set.undo(file.version()).isPresent(), "undo for " + file.fileName());
            assertTrue(file.sql().contains("alembic-revision:"), "alembic header in " + file.fileName());
        }
    }

    @Test
    void aTargetIsAVersionOrTheAlembicRevisionIdOfAFilesHeader() throws Exception {
        TestDb.write(dir, "V1__one.sql", "-- alembic-revision: 1975ea83b712\nSELECT 1;");
        TestDb.write(dir, "V2__two.sql", "-- alembic-revision: 1975ff000001\nSELECT 2;");
        TestDb.write(dir, "V3__three.sql", "SELECT 3;");
        MigrationSet set = MigrationSet.fromDirectory(dir).requireValid();
        assertEquals("3", set.knownVersion("3").toString());
        assertEquals("1", set.knownVersion("1975ea83b712").toString());
        assertEquals("2", set.knownVersion("1975ff").toString(), "a unique prefix");
        CrystalDbException ambiguous = assertThrows(CrystalDbException.class, () -> set.knownVersion("1975"));
        assertEquals(ExitCode.USAGE, ambiguous.exitCode());
        assertEquals("revision '1975' is ambiguous: 1975ea83b712 (version 1), 1975ff000001 (version 2) start with it; type more of it",
                ambiguous.getMessage());
        assertThrows(CrystalDbException.class, () -> set.knownVersion("197"), "too short a prefix");
        assertTrue(assertThrows(CrystalDbException.class, () -> set.knownVersion("4")).getMessage().contains("`-- alembic-revision:` headers"));
    }

    @Test
    void theBuiltInExampleSetHasRevisionIdsOfItsOwnNotTheCrystalBudgetApps() {
        MigrationSet set = MigrationSet.builtIn();
        assertEquals("example", set.name());
        for (MigrationFile file : set.forwards()) {
            String revision = file.alembicRevision().orElseThrow();
            assertFalse(Alembic.CRYSTALBUDGET_REVISIONS.contains(revision), file.fileName() + " names the app's real revision " + revision);
            assertEquals("crystaldb_example_" + file.version(), revision);
        }
    }

    @Test
    void theSetChecksumIsOfTheFilesWhereverTheyAre() throws Exception {
        Path copy = TestDb.copyBundled(dir.resolve("copy"));
        assertEquals(MigrationSet.builtIn().sha256(), MigrationSet.fromDirectory(copy).sha256());
        TestDb.write(copy, "V6__more.sql", "SELECT 6;");
        assertNotEquals(MigrationSet.builtIn().sha256(), MigrationSet.fromDirectory(copy).sha256());
        assertEquals("copy", MigrationSet.fromDirectory(copy).name());
    }

    @Test
    void ordersByNumericVersionAndIgnoresOtherFiles() throws Exception {
        TestDb.write(dir, "V10__ten.sql", "SELECT 10;");
        TestDb.write(dir, "V2__two.sql", "SELECT 2;");
        TestDb.write(dir, "V2_1__two_one.sql", "SELECT 21;");
        TestDb.write(dir, "README.md", "not sql");
        MigrationSet set = MigrationSet.fromDirectory(dir).requireValid();
        assertEquals("2 2.1 10", String.join(" ", set.forwards().stream().map(f -> f.version().toString()).toList()));
        assertEquals("two one", set.forwards().get(1).description());
        assertEquals("10", set.head().orElseThrow().toString());
    }

    @Test
    void refusesMisnamedFiles() throws Exception {
        TestDb.write(dir, "V1__ok.sql", "SELECT 1;");
        TestDb.write(dir, "001_create_users.sql", "SELECT 1;");
        assertRefused("001_create_users.sql is not a migration name");
    }

    @Test
    void refusesDuplicateVersions() throws Exception {
        TestDb.write(dir, "V1__a.sql", "SELECT 1;");
        TestDb.write(dir, "V1.0__b.sql", "SELECT 1;");
        assertRefused("same version 1");
    }

    @Test
    void refusesAnUndoWithoutItsForwardScript() throws Exception {
        TestDb.write(dir, "V1__a.sql", "SELECT 1;");
        TestDb.write(dir, "U2__b.sql", "SELECT 1;");
        assertRefused("U2__b.sql undoes version 2");
    }

    @Test
    void refusesAMissingDirectory() {
        CrystalDbException error = assertThrows(CrystalDbException.class, () -> MigrationSet.fromDirectory(dir.resolve("nope")));
        assertEquals(ExitCode.USAGE, error.exitCode());
    }

    private void assertRefused(String expected) {
        CrystalDbException error = assertThrows(CrystalDbException.class, () -> MigrationSet.fromDirectory(dir).requireValid());
        assertEquals(ExitCode.USAGE, error.exitCode());
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }
}
