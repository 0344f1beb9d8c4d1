package dev.crystaldb.ops;

import dev.crystaldb.errors.CrystalDbException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Stops and starts the app's systemd unit around a restore, through systemctl on the PATH. */
public final class SystemdUnit {
    private final String unit;
    private final String systemctl;

    private SystemdUnit(String unit, String systemctl) {
        this.unit = unit;
        this.systemctl = systemctl;
    }

    /** Refuses (exit 2) before anything changes when systemctl cannot be found or the unit name is odd. */
    public static SystemdUnit of(String unit) {
        if (!unit.matches("[A-Za-z0-9:_.@\\\\-]+")) {
            throw CrystalDbException.usage("'" + unit + "' is not a systemd unit name: give it as systemctl shows it, e.g. crystalbudget.service");
        }
        String path = System.getenv("PATH") == null ? "/usr/bin:/bin" : System.getenv("PATH");
        for (String directory : path.split(File.pathSeparator)) {
            File candidate = new File(directory, "systemctl");
            if (candidate.canExecute()) {
                return new SystemdUnit(unit, candidate.getPath());
            }
        }
        throw CrystalDbException.usage("--service " + unit + " needs systemctl, which is not on the PATH; stop the app yourself and leave out --service");
    }

    public String name() {
        return unit;
    }

    public void stop() {
        run("stop");
    }

    public void start() {
        run("start");
    }

    private void run(String action) {
        try {
            Process process = new ProcessBuilder(systemctl, action, unit).redirectErrorStream(true).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw CrystalDbException.failed("systemctl " + action + " " + unit + " did not finish within 120 s", null);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw CrystalDbException.failed("systemctl " + action + " " + unit + " failed (exit " + process.exitValue() + ")"
                        + (output.isEmpty() ? "" : ": " + output.lines().findFirst().orElse("")), null);
            }
        } catch (IOException e) {
            throw CrystalDbException.failed("cannot run systemctl " + action + " " + unit + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CrystalDbException.failed("interrupted during systemctl " + action + " " + unit, e);
        }
    }
}
