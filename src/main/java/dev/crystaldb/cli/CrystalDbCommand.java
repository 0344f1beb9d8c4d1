package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupWriter;
import dev.crystaldb.db.DatabaseLocation;
import dev.crystaldb.db.TrustedPath;
import dev.crystaldb.errors.CrystalDbException;
import dev.crystaldb.migrate.MigrationSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The top command. Global options are declared here once, inherited by every subcommand (so they
 * may come before or after the command name), and default to the CRYSTAL_DB_* environment:
 * flags win over the environment, the environment over built-in defaults. The subcommands are
 * added by {@link CommandLineSetup}, which lists them.
 */
@Command(name = "crystal-db", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Upgrades, stamps and backs up a production SQLite database with the migrations built into this executable.",
        footer = {"", "Exit codes: 0 done, 1 failed (database unchanged), 2 bad usage or input, 3 busy (locked past --lock-timeout), 4 a check failed."})
public class CrystalDbCommand {

    @Option(names = "--db", scope = ScopeType.INHERIT, defaultValue = "${env:CRYSTAL_DB}", paramLabel = "PATH",
            description = "The SQLite database: a path, jdbc:sqlite:PATH, sqlite:////abs/path or sqlite:///rel/path. Env: CRYSTAL_DB.")
    String database;

    /** Read in {@link #migrationSet()}, which also reads CRYSTAL_DB_MIGRATIONS, so it can say which of the two chose the set. */
    @Option(names = "--migrations", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Use the V/U .sql files of DIR instead of the bundled migrations. Env: CRYSTAL_DB_MIGRATIONS.")
    Path migrationsDirectory;

    @Option(names = "--backup-dir", scope = ScopeType.INHERIT, defaultValue = "${env:CRYSTAL_DB_BACKUP_DIR}", paramLabel = "DIR",
            description = "Where backups go. Default: backups/ beside the database. Env: CRYSTAL_DB_BACKUP_DIR.")
    Path backupDirectory;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine output: one JSON document on stdout, errors included.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Print nothing on success (for cron).")
    boolean quiet;

    @Option(names = {"-y", "--yes"}, scope = ScopeType.INHERIT,
            description = "Never ask for confirmation (implied when stdin is not a terminal).")
    boolean yes;

    @Option(names = "--lock-timeout", scope = ScopeType.INHERIT, defaultValue = "${env:CRYSTAL_DB_LOCK_TIMEOUT:-30}", paramLabel = "SECONDS",
            description = "How long to wait for another crystal-db run or the app's write lock (default: ${DEFAULT-VALUE}). Env: CRYSTAL_DB_LOCK_TIMEOUT.")
    int lockTimeoutSeconds;

    @Option(names = "--native-tmpdir", scope = ScopeType.INHERIT, defaultValue = "${env:CRYSTAL_DB_TMPDIR}", paramLabel = "DIR",
            description = "JVM build only: where the SQLite library is unpacked when the copy beside the application does not load; "
                    + "must allow executables (not noexec). Default: the first usable of java.io.tmpdir, $XDG_RUNTIME_DIR, /var/tmp, "
                    + "~/.cache/crystal-db. The native executable carries its libraries inside itself and ignores it; only on a kernel "
                    + "without memfd_create (before Linux 3.17) does it copy them to $CRYSTAL_DB_TMPDIR, else $TMPDIR, else /tmp. "
                    + "Env: CRYSTAL_DB_TMPDIR.")
    String nativeTmpdir;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of unexpected errors.")
    boolean debug;

    @Spec
    CommandSpec spec;

    private Output output;
    private MigrationSet migrationSet;
    static final String MIGRATIONS_ENVIRONMENT = "CRYSTAL_DB_MIGRATIONS";

    /** One per run, so the progress line and the messages share one stderr. */
    Output output() {
        if (output == null) {
            // --quiet never draws a progress line: no need to ask what stderr is
            output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), json, quiet, !quiet && Terminal.stderrIsTerminal(),
                    Terminal.stderrIsJournal());
        }
        return output;
    }

    Duration lockTimeout() {
        if (lockTimeoutSeconds < 0) {
            throw CrystalDbException.usage("--lock-timeout must be 0 or more seconds, not " + lockTimeoutSeconds);
        }
        return Duration.ofSeconds(lockTimeoutSeconds);
    }

    /** The --db file's real path (symlinks of other users refused, see TrustedPath). */
    Path databasePath() {
        return TrustedPath.resolve(DatabaseLocation.parse(database), "--db");
    }

    /** The database for a command that only reads: opened read-only, its bytes never change. */

    /** The set of this run, refused (exit 2) when it has misnamed, duplicate or orphaned files. */
    MigrationSet migrations() {
        return migrationSet().requireValid();
    }

    /**
     * The set of this run, by one rule for every command: --migrations DIR, else
     * CRYSTAL_DB_MIGRATIONS, else the set this executable carries (appended by `bundle`, else built
     * in). Its first use prints which set it is as a notice (the first stderr line; --quiet drops it).
     */
    MigrationSet migrationSet() {
        if (migrationSet == null) {
            MigrationDirectory directory = migrationDirectory();
            MigrationSet set = directory == null ? MigrationSet.bundled() : MigrationSet.fromDirectory(directory.path());
            output().info("migrations: " + set.origin() + (directory == null ? "" : " (" + directory.from() + ")") + ", " + set.summary());
            migrationSet = set;
        }
        return migrationSet;
    }

    /**
     * The directory a command that writes migration files (new, import-alembic) writes into: by the
     * same rule, but never the executable's own set; its set, when it has one, is named as for any command.
     */
    Path writableMigrationDirectory(String command) {
        MigrationDirectory directory = migrationDirectory();
        if (directory == null) {
            throw CrystalDbException.usage(command + " writes migration files into a directory, and the set bundled in this executable cannot be written: "
                    + "give --migrations DIR (or set " + MIGRATIONS_ENVIRONMENT + "), e.g. --migrations migrations");
        }
        if (Files.isDirectory(directory.path())) {
            migrationSet();
        }
        return directory.path();
    }

    /** A directory of migrations and the setting that named it. */
    record MigrationDirectory(Path path, String from) {
    }

    /** The directory --migrations or CRYSTAL_DB_MIGRATIONS names; null when neither does (the bundled set). */
    MigrationDirectory migrationDirectory() {
        if (migrationsDirectory != null) {
            return new MigrationDirectory(TrustedPath.requirePlain(migrationsDirectory, "--migrations"), "--migrations");
        }
        String environment = System.getenv(MIGRATIONS_ENVIRONMENT);
        if (environment != null && !environment.isBlank()) {
            return new MigrationDirectory(TrustedPath.requirePlain(Path.of(environment), MIGRATIONS_ENVIRONMENT), MIGRATIONS_ENVIRONMENT);
        }
        return null;
    }

    /** The real path of --backup-dir, or of backups/ beside the database (symlinks of other users refused). */
    Path backupDirectory(Path databaseFile) {
        return backupDirectory != null ? TrustedPath.resolve(backupDirectory, "--backup-dir")
                : TrustedPath.resolve(databaseFile.resolveSibling("backups"), "the backup directory");
    }

    BackupWriter backupWriter() {
        return new BackupWriter(Clock.systemUTC(), output().progress());
    }

    /** Asks on a terminal; true without asking with --yes or when stdin is not a terminal. */
    boolean confirm(String question) {
        if (yes || !Terminal.interactive()) {
            return true;
        }
        return Terminal.ask(spec.commandLine().getErr(), question + " [y/N] ");
    }
}
