package dev.crystaldb.it;

import dev.crystaldb.support.Safety;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The example ops files in src/dist/share/: the systemd units pass `systemd-analyze verify` with
 * their binaries pointed at the built crystal-db, say what the README promises, and the commands
 * they (and the cron line) run work against a real database.
 */
class SystemdUnitsIT {
    private static final Path SHARE = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("src/dist/share");
    private static final List<String> UNITS = List.of("crystalbudget.service", "crystal-db-backup.service", "crystal-db-backup.timer");
    private static final String INSTALLED_BINARY = "/usr/local/bin/crystal-db";
    private static final String DATABASE = "/var/lib/crystalbudget/budget.db";
    private static final String BACKUP_ARGS = "backup --quiet --keep-daily 7 --keep-weekly 4 --keep-monthly 6";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- systemd-analyze verify

    @Test
    @Timeout(120)
    void theUnitsPassSystemdAnalyzeVerify() throws Exception {
        String analyze = systemdAnalyze();
        Path units = Files.createDirectories(dir.resolve("units"));
        List<String> paths = new ArrayList<>();
        for (String unit : UNITS) {
            // verify checks that every Exec*= binary exists: the built crystal-db stands in for
            // /usr/local/bin/crystal-db, and /bin/true for the app itself (gunicorn)
            String text = read(unit).replace(INSTALLED_BINARY, CrystalDb.executable().toString())
                    .replaceAll("(?m)^ExecStart=/opt/\\S+", "ExecStart=/bin/true");
            Files.writeString(units.resolve(unit), text, StandardCharsets.UTF_8);
            paths.add(units.resolve(unit).toString());
        }
        canary(analyze, units);

        Run verify = run(units, analyzeCommand(analyze, paths));
        assertEquals(0, verify.exit(), "systemd-analyze verify failed:\n" + verify.output());
        assertEquals("", verify.output().strip(), "systemd-analyze verify warned:\n" + verify.output());
    }

    /** Proof that verify means something here: a unit whose binary is missing must fail it. */
    private void canary(String analyze, Path units) throws Exception {
        Path broken = units.resolve("crystal-db-canary.service");
        Files.writeString(broken, "[Unit]\nDescription=canary\n[Service]\nType=oneshot\nExecStart=" + units.resolve("missing-binary") + "\n");
        Run canary = run(units, analyzeCommand(analyze, List.of(broken.toString())));
        Files.delete(broken);
        Safety.assume(canary.exit() != 0,
                "systemd-analyze verify cannot check units in this environment (it accepted a missing ExecStart binary): " + canary.output());
    }

    private static List<String> analyzeCommand(String analyze, List<String> units) {
        List<String> command = new ArrayList<>(List.of(analyze, "verify", "--man=no"));
        command.addAll(units);
        return command;
    }

    /** The systemd-analyze binary, or the test is skipped with the reason. */
    private String systemdAnalyze() throws Exception {
        String analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze")
                .filter(path -> new File(path).canExecute()).findFirst().orElse(null);
        Safety.assume(analyze != null, "systemd-analyze is not installed (it comes with the systemd package)");
        Run version = run(dir, List.of(analyze, "--version"));
        Safety.assume(version.exit() == 0, "systemd-analyze cannot run here: " + version.output());
        return analyze;
    }

    // ---------------------------------------------------------------- what the files say

    @Test
    void theAppUnitUpgradesBeforeEveryStartWithARaisedStartTimeout() throws IOException {
        String unit = read("crystalbudget.service");
        assertEquals(List.of(DATABASE), values(unit, "Environment", "CRYSTAL_DB="), unit);
        assertEquals(List.of(INSTALLED_BINARY + " upgrade --yes"), values(unit, "ExecStartPre", ""), unit);
        List<String> lines = unit.lines().toList();
        int timeout = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("TimeoutStartSec=")) {
                timeout = i;
            }
        }
        assertTrue(timeout > 0, "no TimeoutStartSec= in crystalbudget.service");
        long seconds = seconds(lines.get(timeout).substring("TimeoutStartSec=".length()));
        assertTrue(seconds > 90, "TimeoutStartSec= is not above systemd's default of 90 s: " + lines.get(timeout));
        StringBuilder comment = new StringBuilder();
        for (int i = timeout - 1; i >= 0 && lines.get(i).startsWith("#"); i--) {
            comment.insert(0, lines.get(i) + "\n");
        }
        assertTrue(comment.toString().contains("backup") && comment.toString().contains("90 s"),
                "TimeoutStartSec= is not explained (the pre-upgrade backup against the 90 s default) right above it: " + comment);
        assertEquals(List.of("on-failure"), values(unit, "Restart", ""), "a failed upgrade should be retried, not ignored");
    }

    @Test
    void theBackupServiceIsAOneshotWithRetentionAndTheTimerRunsItNightly() throws IOException {
        String service = read("crystal-db-backup.service");
        assertEquals(List.of("oneshot"), values(service, "Type", ""));
        assertEquals(List.of(DATABASE), values(service, "Environment", "CRYSTAL_DB="));
        assertEquals(List.of(INSTALLED_BINARY + " " + BACKUP_ARGS), values(service, "ExecStart", ""));

        String timer = read("crystal-db-backup.timer");
        List<String> calendar = values(timer, "OnCalendar", "");
        assertEquals(1, calendar.size(), timer);
        assertTrue(calendar.get(0).equals("daily") || calendar.get(0).matches("\\*-\\*-\\* \\d{2}:\\d{2}(:\\d{2})?"),
                "OnCalendar= is not once a night: " + calendar);
        assertEquals(List.of("true"), values(timer, "Persistent", ""));
        assertEquals(1, values(timer, "RandomizedDelaySec", "").size(), "no RandomizedDelaySec=");
        assertTrue(values(timer, "Unit", "").isEmpty() || values(timer, "Unit", "").equals(List.of("crystal-db-backup.service")));
        assertEquals(List.of("timers.target"), values(timer, "WantedBy", ""));
    }

    @Test
    void theCronLineIsTheSameBackupAsTheTimer() throws IOException {
        CronLine cron = cronLine();
        assertEquals(DATABASE, cron.variables().get("CRYSTAL_DB"));
        assertEquals(List.of("15", "3", "*", "*", "*"), cron.schedule(), "not once a night");
        assertTrue(cron.command().endsWith("crystal-db " + BACKUP_ARGS), cron.command());
        assertTrue(cron.command().startsWith("flock -n "), "a cron backup must not overlap the previous one: " + cron.command());
    }

    // ---------------------------------------------------------------- the commands, run for real

    @Test
    @Timeout(180)
    void theCommandsTheUnitsRunWorkOnARealDatabase() throws Exception {
        Path db = dir.resolve("budget.db");
        CrystalDb.ok(dir, "--db", db.toString(), "upgrade", "3", "--create", "--yes");
        Map<String, String> env = Map.of("CRYSTAL_DB", db.toString());

        // the app's ExecStartPre=: upgrades with a backup, then is a no-op without one on every restart
        String[] upgrade = commandOf(read("crystalbudget.service"), "ExecStartPre");
        CrystalDb.Result first = CrystalDb.run(dir, env, upgrade);
        assertEquals(0, first.exitCode(), first::describe);
        assertEquals(List.of("1", "2", "3", "4", "5"), CrystalDb.appliedVersions(db));
        assertEquals(1, backups(db).size(), "the pending upgrade took one backup");
        CrystalDb.Result restart = CrystalDb.run(dir, env, upgrade);
        assertEquals(0, restart.exitCode(), restart::describe);
        assertEquals(1, backups(db).size(), "a no-op upgrade took a backup");

        // the backup service: silent on success, one more backup
        CrystalDb.Result backup = CrystalDb.run(dir, env, commandOf(read("crystal-db-backup.service"), "ExecStart"));
        assertEquals(0, backup.exitCode(), backup::describe);
        assertEquals("", backup.stdout() + backup.stderr(), backup::describe);
        List<Path> plain = plainBackups(db);
        assertEquals(1, plain.size(), "one plain backup besides the pre-upgrade one: " + backups(db));

        // the cron line, through sh and flock as cron runs it, with the built crystal-db on the PATH
        CronLine cron = cronLine();
        String command = cron.command().replace("/var/lib/crystalbudget/", dir + "/");
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("PATH", CrystalDb.executable().getParent() + ":" + cron.variables().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().put("CRYSTAL_DB", db.toString());
        Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the cron command did not finish");
        assertEquals(0, process.exitValue(), "the cron command failed: " + command + "\n" + output);
        // on success only what retention deleted is printed (a deletion is always logged, so cron mails it), one line per file
        assertEquals("pruned: " + plain.get(0) + " (a scheduled backup no --keep, --keep-daily, --keep-weekly or --keep-monthly rule keeps)\n",
                output, "the cron command printed more than what it pruned");
        // a new plain backup, and --keep-daily 7 pruned the earlier one of the same day
        List<Path> after = plainBackups(db);
        assertEquals(1, after.size(), "retention should keep one plain backup per day: " + backups(db));
        assertTrue(!after.equals(plain), "the cron command wrote no new backup: " + backups(db));
        assertEquals(2, backups(db).size(), "the pre-upgrade backup is kept apart from daily retention: " + backups(db));
    }

    // ---------------------------------------------------------------- helpers

    static String read(String unit) throws IOException {
        return Files.readString(SHARE.resolve("systemd").resolve(unit), StandardCharsets.UTF_8);
    }

    /** The values of `Key=` lines (comments skipped), with the given value prefix removed (and required). */
    private static List<String> values(String unit, String key, String prefix) {
        List<String> values = new ArrayList<>();
        for (String line : unit.lines().toList()) {
            if (line.startsWith(key + "=") && line.startsWith(prefix, key.length() + 1)) {
                values.add(line.substring(key.length() + 1 + prefix.length()).strip());
            }
        }
        return values;
    }

    /** The crystal-db arguments of the unit's only `Key=/usr/local/bin/crystal-db ...` line. */
    static String[] commandOf(String unit, String key) {
        List<String> commands = values(unit, key, INSTALLED_BINARY + " ");
        assertEquals(1, commands.size(), key + "= does not run " + INSTALLED_BINARY + " once: " + commands);
        return commands.get(0).split("\\s+");
    }

    private static List<Path> backups(Path db) throws IOException {
        Path directory = db.resolveSibling("backups");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> path.getFileName().toString().matches("budget_.*\\.db(\\.gz)?")).toList();
        }
    }

    /** Backups without a reason (written by `crystal-db backup`), as opposed to pre-upgrade ones. */
    private static List<Path> plainBackups(Path db) throws IOException {
        return backups(db).stream().filter(path -> path.getFileName().toString().matches("budget_\\d{8}_\\d{6}(-\\d+)?\\.db")).toList();
    }

    /** systemd time spans as the units use them: 90, 90s, 15min, 1h. */
    private static long seconds(String span) {
        Matcher matcher = Pattern.compile("(\\d+)\\s*(s|sec|min|m|h)?").matcher(span.strip());
        assertTrue(matcher.matches(), "unexpected time span " + span);
        long value = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "min", "m" -> value * 60;
            case "h" -> value * 3600;
            default -> value;
        };
    }

    record CronLine(Map<String, String> variables, List<String> schedule, String user, String command) {
    }

    /** The one job line of the cron.d file, with the variables set above it. */
    private static CronLine cronLine() throws IOException {
        Path file = SHARE.resolve("cron/crystal-db-backup");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), "cron ignores a last line without a newline");
        Map<String, String> variables = new LinkedHashMap<>();
        List<String> jobs = new ArrayList<>();
        for (String line : text.lines().map(String::strip).toList()) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher variable = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)").matcher(line);
            if (variable.matches()) {
                variables.put(variable.group(1), variable.group(2));
            } else {
                jobs.add(line);
            }
        }
        assertEquals(1, jobs.size(), "expected one job line in " + file + ": " + jobs);
        String[] fields = jobs.get(0).split("\\s+", 7);
        assertEquals(7, fields.length, "a cron.d line is five time fields, a user and the command: " + jobs.get(0));
        return new CronLine(variables, Arrays.asList(fields).subList(0, 5), fields[5], fields[6]);
    }

    record Run(int exit, String output) {
    }

    private static Run run(Path workDir, List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Run(process.exitValue(), output);
    }
}
