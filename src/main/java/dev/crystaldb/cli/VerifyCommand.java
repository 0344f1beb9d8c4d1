package dev.crystaldb.cli;

import dev.crystaldb.errors.ExitCode;
import dev.crystaldb.ops.DatabaseVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Integrity check, foreign-key check, and the applied migrations against their files; exit 4 if any fails.")
class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    CrystalDbCommand root;

    @Override
    public Integer call() {
        Path file = root.databasePath();
        List<DatabaseVerifier.Check> checks = new DatabaseVerifier().verify(file, root.lockTimeout(), root.migrations());
        StringBuilder text = new StringBuilder();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (DatabaseVerifier.Check check : checks) {
            text.append(check.ok() ? "ok      " : "FAILED  ").append(check.name()).append('\n');
            check.problems().stream().limit(20).forEach(p -> text.append("        ").append(p).append('\n'));
            if (check.problems().size() > 20) {
                text.append("        ... and ").append(check.problems().size() - 20).append(" more\n");
            }
            documents.add(Output.doc().with("check", check.name()).with("ok", check.ok()).with("problems", check.problems()));
        }
        boolean ok = checks.stream().allMatch(DatabaseVerifier.Check::ok);
        root.output().result(Output.doc().with("database", file.toString()).with("ok", ok).with("checks", documents), text.toString());
        return ok ? ExitCode.OK.code : ExitCode.CHECK_FAILED.code;
    }
}
