package dev.crystaldb.progress;

import java.util.function.LongSupplier;

/**
 * What long work (a backup, a restore, a migration) tells whoever watches it. The core only
 * announces steps and how far they are; the command line decides whether to show them (a
 * terminal) or not (cron, the journal, a pipe).
 */
public interface Progress {
    /** Reports nothing. */
    Progress NONE = (description, totalBytes, doneBytes) -> () -> { };

    /**
     * A step begins and replaces the previous one. With totalBytes above zero, doneBytes tells how
     * many of them are done so far; it is called from another thread and must be cheap.
     */
    Step start(String description, long totalBytes, LongSupplier doneBytes);

    /** A step whose size is not known: only its time is shown. */
    default Step start(String description) {
        return start(description, 0, () -> 0);
    }

    /** Ends the step (its line disappears); closing twice, or after a later step began, does nothing. */
    interface Step extends AutoCloseable {
        @Override
        void close();
    }
}
