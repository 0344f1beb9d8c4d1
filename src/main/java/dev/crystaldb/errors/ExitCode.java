package dev.crystaldb.errors;

/** The process exit codes of PRODUCT.md §5; the only place their numbers live. */
public enum ExitCode {
    OK(0),
    FAILED(1),
    USAGE(2),
    BUSY(3),
    CHECK_FAILED(4);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
