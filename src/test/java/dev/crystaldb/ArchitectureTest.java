package dev.crystaldb;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
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

    /**
     * A command parses, calls one ops service and prints: of the core it sees only ops, errors,
     * progress and the core's values (records, enums, exceptions), never a class that does the work.
     */
    @Test
    void commandsReachTheCoreOnlyThroughOps() {
        // the root command and the start-up are the wiring: they resolve the global options into trusted
        // paths, build the backup writer the services share and load SQLite's library before any command
        classes().that().resideInAPackage("dev.crystaldb.cli..")
                .and().doNotHaveSimpleName("CrystalDbCommand").and().doNotHaveSimpleName("CommandLineSetup")
                .should().onlyDependOnClassesThat(new DescribedPredicate<JavaClass>("ops, errors, progress, the core's values or outside crystal-db") {
                    @Override
                    public boolean test(JavaClass target) {
                        String name = target.getPackageName();
                        if (!name.startsWith("dev.crystaldb.")) {
                            return true;
                        }
                        if (name.startsWith("dev.crystaldb.cli") || name.startsWith("dev.crystaldb.ops") || name.startsWith("dev.crystaldb.errors")
                                || name.startsWith("dev.crystaldb.progress")) {
                            return true;
                        }
                        JavaClass outer = target;
                        while (outer.getEnclosingClass().isPresent()) {
                            outer = outer.getEnclosingClass().get();
                        }
                        return target.isRecord() || target.isEnum() || target.isAssignableTo(RuntimeException.class) || VALUES.contains(outer.getSimpleName());
                    }
                })
                .check(classes);
    }

    /** Core classes that are values a command passes on or prints, though not records. */
    // BuildResources: the constants the build put in (the version, the built-in set), read once
    private static final java.util.Set<String> VALUES = java.util.Set.of("MigrationSet", "Version", "MigrationFile", "BuildResources");
}
