package dev.crystaldb.cli;

import dev.crystaldb.backup.BackupResult;
import dev.crystaldb.db.SqliteDatabase;
import dev.crystaldb.errors.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "backup", description = "Write a verified, consistent copy of the live database to the backup directory.")
class BackupCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Option(names = "--full-check", description = "Verify the copy with PRAGMA integrity_check instead of quick_check.")
    boolean fullCheck;

    @Override
    public Integer call() {
        SqliteDatabase database = root.existingDatabase();
        BackupResult backup = root.backupWriter().write(database, root.backupDirectory(database.file()), null, fullCheck);
        root.output().result(Output.doc()
                        .with("database", database.file().toString())
                        .with("backup", backup.file().toString())
                        .with("bytes", backup.bytes())
                        .with("elapsed_ms", backup.millis()),
                "backup: " + backup.file() + " (" + backup.bytes() + " bytes, " + backup.millis() + " ms)");
        return ExitCode.OK.code;
    }
}
