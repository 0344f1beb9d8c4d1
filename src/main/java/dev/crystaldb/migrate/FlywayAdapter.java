package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.db.SqliteFailure;
import dev.crystaldb.db.WriteTransaction;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.errors.Failures;
import dev.crystaldb.progress.Progress;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only class that talks to Flyway: its configuration (the unit's one connection, the set
 * through {@link MigrationResources}, group mode, no validation of its own), the progress callback,
 * and the mapping of its failures to crystal-db's one-line errors.
 */
final class FlywayAdapter {
    private static final String INSTALLED_BY = "crystal-db";
    private static final Pattern FLYWAY_LINE = Pattern.compile("Line\\s*:\\s*(\\d+)\\s*");

    /** A migration Flyway ran or recorded: version, description, file, milliseconds. */
    record Applied(Version version, String description, String script, long millis) {
    }

    private final SqliteDatabase database;
    private final MigrationSet migrations;

    FlywayAdapter(SqliteDatabase database, MigrationSet migrations) {
        this.database = database;
        this.migrations = migrations;
    }

    /**
     * Runs every pending script up to target in the unit, announcing each to progress; afterChecks
     * runs after the last one, still inside the unit. A failure is mapped to the failing file and
     * line; nothing is applied then (the caller's unit rolls back).
     */
    List<Applied> migrate(WriteTransaction unit, Version target, int count, Progress progress, UnitChecks.Check afterScripts) {
        ProgressCallback callback = new ProgressCallback(count, progress);
        try {
            new SchemaHistoryTable(unit.connection()).createIfMissing(); // Flyway's layout, made as Flyway would
            MigrateResult result = configure(unit).callbacks(callback).target(MigrationVersion.fromVersion(target.toString())).load().migrate();
            callback.step.close();
            afterScripts.run();
            return applied(result);
        } catch (UnitChecks.Failure e) {
            throw CrystalDbException.failed(e.getMessage() + "; nothing was applied (the whole upgrade rolled back)", e);
        } catch (SQLException | RuntimeException e) {
            throw failureOf(e, callback.failedScript);
        } finally {
            callback.step.close();
        }
    }

    /** Records the pending migrations up to target as applied without running them (stamp). */
    List<Applied> recordWithoutRunning(WriteTransaction unit, Version target) {
        MigrateResult result = configure(unit).skipExecutingMigrations(true).target(MigrationVersion.fromVersion(target.toString())).load().migrate();
        return applied(result);
    }

    private static List<Applied> applied(MigrateResult result) {
        List<Applied> applied = new ArrayList<>();
        for (MigrateOutput output : result.migrations) {
            applied.add(new Applied(Version.parseOrNull(output.version), output.description, output.filepath, output.executionTime));
        }
        return applied;
    }

    private FluentConfiguration configure(WriteTransaction unit) {
        return Flyway.configure(FlywayAdapter.class.getClassLoader())
                .dataSource(new UnitDataSource(unit.connection()))
                .connectRetries(0)
                .resourceProvider(new MigrationResources(migrations))
                .javaMigrationClassProvider(List::of)
                .table(SchemaHistoryTable.HISTORY)
                .placeholderReplacement(false)
                .group(true)
                .mixed(false)
                .outOfOrder(false)
                .validateOnMigrate(false) // HistoryValidation has checked, before any backup or change
                .baselineOnMigrate(false)
                .cleanDisabled(true)
                .installedBy(INSTALLED_BY)
                .failOnMissingLocations(false);
    }

    private CrystalDbException failureOf(Exception error, String failedScript) {
        CrystalDbException known = CrystalDbException.findIn(error);
        if (known != null) {
            return known;
        }
        if (SqliteFailure.isBusy(error)) {
            return database.busy();
        }
        String cause = messageOf(Failures.find(error, SQLException.class).map(Throwable.class::cast).orElse(error));
        String where = failedScript == null ? "upgrade failed" : failedScript + failedLine(error).map(line -> " line " + line).orElse(" failed");
        return new CrystalDbException(ExitCode.FAILED, where + ": " + cause + "; nothing was applied (the whole upgrade rolled back)", error);
    }

    /** The line of the failing statement, which Flyway's script error reports ("Line : 12"); numbered as in the file. */
    private static Optional<Integer> failedLine(Throwable error) {
        return Failures.causes(error).flatMap(t -> String.valueOf(t.getMessage()).lines())
                .map(FLYWAY_LINE::matcher).filter(Matcher::matches).map(matcher -> Integer.parseInt(matcher.group(1))).findFirst();
    }

    /** The first line of a failure's message, or of the "Message : ..." line in Flyway's multi-line report. */
    static String messageOf(Throwable error) {
        String message = String.valueOf(error.getMessage());
        return message.lines().filter(line -> line.startsWith("Message")).findFirst()
                .map(line -> line.replaceFirst("Message\\s*:\\s*", "").trim())
                .orElseGet(() -> Failures.firstLine(error));
    }

    /** Reports each script as it starts, and remembers which one failed. */
    private static final class ProgressCallback implements Callback {
        private final int count;
        private final Progress progress;
        private int started;
        private Progress.Step step = () -> { };
        private String failedScript;

        ProgressCallback(int count, Progress progress) {
            this.count = count;
            this.progress = progress;
        }

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE_ERROR;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            MigrationInfo info = context.getMigrationInfo();
            if (event == Event.BEFORE_EACH_MIGRATE) {
                step.close();
                step = progress.start("applying " + (info == null ? "" : info.getVersion() + " " + info.getDescription() + " ")
                        + "(" + (++started) + " of " + count + ")");
            } else {
                failedScript = info == null ? null : info.getScript();
            }
        }

        @Override
        public String getCallbackName() {
            return "crystal-db progress";
        }
    }
}
