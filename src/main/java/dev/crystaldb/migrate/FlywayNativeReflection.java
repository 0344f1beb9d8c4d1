package dev.crystaldb.migrate;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The reflection the native executable needs for Flyway, and no more. {@code new Flyway(configuration)}
 * copies every configuration extension it loaded; the two below copy themselves the default way, by
 * writing the extension to JSON with Jackson and reading it back, which reads their getters and
 * setters and the {@code @JsonIgnore} on the methods of the interfaces above them. crystal-db's own
 * configuration cannot avoid the copy (every Flyway is built from one), so those members are
 * registered; the other extensions override the copy.
 */
@RegisterForReflection(fields = false, classNames = {
        "org.flywaydb.core.api.migration.baseline.BaselineMigrationConfigurationExtension",
        "org.flywaydb.core.internal.publishing.PublishingConfigurationExtension",
        "org.flywaydb.core.extensibility.ConfigurationExtension",
        "org.flywaydb.core.extensibility.Plugin"})
final class FlywayNativeReflection {
    private FlywayNativeReflection() {
    }
}
