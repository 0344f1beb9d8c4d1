package dev.crystaldb.errors;

/** A failure an operator can act on: one line saying what is wrong and what to do, and its exit code. */
public class CrystalDbException extends RuntimeException {
    private final ExitCode exitCode;

    public CrystalDbException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CrystalDbException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static CrystalDbException usage(String message) {
        return new CrystalDbException(ExitCode.USAGE, message);
    }

    public static CrystalDbException failed(String message, Throwable cause) {
        return new CrystalDbException(ExitCode.FAILED, message, cause);
    }

    public static CrystalDbException checkFailed(String message) {
        return new CrystalDbException(ExitCode.CHECK_FAILED, message);
    }

    /** Finds a CrystalDbException in a cause chain, e.g. one thrown inside a Flyway callback. */
    public static CrystalDbException findIn(Throwable error) {
        return Failures.find(error, CrystalDbException.class).orElse(null);
    }
}
