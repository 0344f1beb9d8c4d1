package dev.crystaldb;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The core is a library: no picocli in it, Flyway only behind migrate, no SQL in the commands. */
class ArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.crystaldb");

    @Test
    void coreDoesNotKnowPicocli() {
        noClasses().that().resideOutsideOfPackage("dev.crystaldb.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "io.quarkus.picocli..")
                .check(classes);
    }

    @Test
    void onlyMigrateTalksToFlyway() {
        noClasses().that().resideOutsideOfPackage("dev.crystaldb.migrate..")
                .should().dependOnClassesThat().resideInAnyPackage("org.flywaydb..")
                .check(classes);
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.flywaydb.core.internal..").check(classes);
        // inside migrate, one adapter: what Flyway is told and how its failures read lives in one place
        noClasses().that().doNotHaveSimpleName("FlywayAdapter").and().doNotHaveSimpleName("MigrationResources")
                .and().doNotHaveSimpleName("FlywayNativeReflection").and().haveNameNotMatching("dev\\.crystaldb\\.migrate\\.(FlywayAdapter|MigrationResources)\\$.*")
                .should().dependOnClassesThat().resideInAnyPackage("org.flywaydb..")
                .check(classes);
    }

    @Test
    void commandsDoNotTouchJdbc() {
        noClasses().that().resideInAPackage("dev.crystaldb.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.sqlite..")
                .check(classes);
    }
}
