package dev.crystaldb.ops;

import dev.crystaldb.backup.BackupCatalog;
import dev.crystaldb.backup.BackupEntry;
import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.backup.RetentionPolicy;
import dev.crystaldb.db.SqliteDatabase;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * `backup`: a verified copy of the live database (no lock of crystal-db's: the snapshot is a read
 * transaction), named scheduled or manual by the policy, then retention under that policy. Every
 * file retention deletes is reported to deletions, which the caller logs even with --quiet.
 */
public final class BackupService {
    public record Request(Path database, Path backupDirectory, RetentionPolicy policy, boolean fullCheck, boolean compress) {
    }

    /** The backup written and what retention deleted after it. */
    public record Result(Path database, BackupResult backup, List<BackupEntry> pruned) {
    }

    private final BackupWriter writer;
    private final Consumer<String> notices;
    private final Consumer<String> deletions;
    private final Duration lockTimeout;

    public BackupService(BackupWriter writer, Consumer<String> notices, Consumer<String> deletions, Duration lockTimeout) {
        this.writer = writer;
        this.notices = notices;
        this.deletions = deletions;
        this.lockTimeout = lockTimeout;
    }

    public Result backup(Request request) {
        SqliteDatabase database = SqliteDatabase.forCopying(request.database(), lockTimeout);
        RetentionPolicy policy = request.policy();
        notices.accept("backing up " + database.file() + " ...");
        BackupResult backup = writer.write(database, request.backupDirectory(), policy.reasonOfNewBackup(), request.fullCheck(), request.compress());
        List<BackupEntry> pruned = policy.prunes()
                ? new BackupCatalog(request.backupDirectory(), database.file()).prune(policy, Instant.now(), backup.file())
                : List.of();
        pruned.forEach(e -> deletions.accept("pruned: " + e.file() + " (" + policy.whyPruned(e) + ")"));
        return new Result(database.file(), backup, pruned);
    }
}
