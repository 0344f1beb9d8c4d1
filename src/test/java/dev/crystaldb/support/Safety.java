package dev.crystaldb.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The precondition of a safety test (root, a tmpfs to fill, the fault injector, strace, ptrace,
 * systemd-analyze): on a developer's machine a missing one skips the test with its reason; under
 * CI=true, where .ci/run has installed everything and runs as root, it fails it, so a safety test
 * cannot pass there by not running. Not for the skips that say a test only makes sense for one of
 * the JVM launcher and the native executable: those are right everywhere, so they stay plain
 * assumptions.
 */
public final class Safety {
    private Safety() {
    }

    /** Skips the test (fails it under CI=true) unless condition holds. */
    public static void assume(boolean condition, String reason) {
        assume(condition, reason, "true".equals(System.getenv("CI")));
    }

    /** Skips the test (fails it under CI=true) with the reason. */
    public static void abort(String reason) {
        assume(false, reason);
    }

    static void assume(boolean condition, String reason, boolean inCi) {
        if (condition) {
            return;
        }
        if (inCi) {
            Assertions.fail("CI=true and a safety test cannot run: " + reason);
        }
        Assumptions.abort(reason);
    }
}
