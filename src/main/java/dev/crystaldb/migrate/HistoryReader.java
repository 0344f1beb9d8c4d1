package dev.crystaldb.migrate;

import dev.crystaldb.db.SqliteDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reads the version a database copy (a backup, a staged restore) is at straight from its history table, read-only. */
public final class HistoryReader {
    private HistoryReader() {
    }

    /** The highest successfully applied version; empty when there is no history; "unreadable" problems throw. */
    public static Optional<Version> currentVersion(Path file) {
        SqliteDatabase database = SqliteDatabase.ownFile(file, Duration.ofSeconds(5));
        try (Connection connection = database.openReadOnly()) {
            Version highest = null;
            for (HistoryRow row : new SchemaHistoryTable(connection).rows()) {
                if (row.success() && row.version() != null && (highest == null || row.version().compareTo(highest) > 0)) {
                    highest = row.version();
                }
            }
            return Optional.ofNullable(highest);
        } catch (SQLException e) {
            throw database.translate(e, "read the history of " + file);
        }
    }

    /** The applied versions of a copy (or of the live database, under crystal-db's lock), with their checksums, read-only. */
    public static List<UpgradeHold.Held> appliedVersions(Path file) {
        SqliteDatabase database = SqliteDatabase.ownFile(file, Duration.ofSeconds(5));
        try (Connection connection = database.openReadOnly()) {
            return UpgradeHold.appliedIn(new SchemaHistoryTable(connection));
        } catch (SQLException e) {
            throw database.translate(e, "read the history of " + file);
        }
    }

    /** Records a hold in a copy crystal-db made (the staged restore), as one transaction. */
    public static void recordHold(Path file, UpgradeHold hold) {
        SqliteDatabase database = SqliteDatabase.ownFile(file, Duration.ofSeconds(5));
        try (Connection connection = database.open()) {
            connection.setAutoCommit(false);
            new SchemaHistoryTable(connection).recordHold(hold);
            connection.commit();
        } catch (SQLException e) {
            throw database.translate(e, "record the upgrade hold in " + file);
        }
    }
}
