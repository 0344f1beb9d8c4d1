package dev.crystaldb.cli;

import dev.crystaldb.progress.Progress;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * Progress on one self-rewriting stderr line, for a person at a terminal: nothing for work that
 * ends within a second, then the current step, how far it is when its size is known, and its time,
 * refreshed five times a second. Output clears the line before printing anything else on stderr.
 */
final class ProgressLine implements Progress {
    static final long SHOW_AFTER_NANOS = 1_000_000_000L;
    private static final long REFRESH_MILLIS = 200;
    private static final int MAX_WIDTH = 79;

    private final PrintWriter err;
    private final LongSupplier nanoTime;
    private final Object lock;
    private Shown current;
    private long firstStarted = -1;
    private int lineLength;
    private final boolean refreshInBackground;
    private boolean refreshing;

    private record Shown(String description, long totalBytes, LongSupplier doneBytes, long started) {
    }

    /**
     * lock is the one Output holds while it prints, so a line is never drawn in the middle of a
     * message; without refreshInBackground only {@link #refresh()} draws (for tests).
     */
    ProgressLine(PrintWriter err, LongSupplier nanoTime, Object lock, boolean refreshInBackground) {
        this.err = err;
        this.nanoTime = nanoTime;
        this.lock = lock;
        this.refreshInBackground = refreshInBackground;
    }

    @Override
    public Step start(String description, long totalBytes, LongSupplier doneBytes) {
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            if (firstStarted < 0) {
                firstStarted = now;
            }
            Shown step = new Shown(description, totalBytes, doneBytes, now);
            current = step;
            startRefreshing();
            return () -> end(step);
        }
    }

    private void end(Shown step) {
        synchronized (lock) {
            if (current == step) {
                current = null;
                clear();
            }
        }
    }

    /** Draws the current step if the work has gone on for a second; called by the refresh thread. */
    void refresh() {
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            if (current == null || now - firstStarted < SHOW_AFTER_NANOS) {
                return;
            }
            String line = text(current, now);
            err.print("\r" + line + " ".repeat(Math.max(0, lineLength - line.length())));
            err.flush();
            lineLength = line.length();
        }
    }

    /** Erases the line; the caller holds the lock. */
    void clear() {
        if (lineLength > 0) {
            err.print("\r" + " ".repeat(lineLength) + "\r");
            err.flush();
            lineLength = 0;
        }
    }

    /** At most 79 characters: a line that wraps on an 80-column terminal cannot be rewritten in place. */
    static String text(String description, long totalBytes, long doneBytes, long elapsedNanos) {
        StringBuilder figures = new StringBuilder();
        if (totalBytes > 0) {
            long done = Math.min(Math.max(doneBytes, 0), totalBytes);
            figures.append("  ").append(done * 100 / totalBytes).append("%  ")
                    .append(Sizes.human(done)).append(" of ").append(Sizes.human(totalBytes));
        }
        figures.append("  ").append(elapsedNanos / 1_000_000_000L).append(" s");
        int room = Math.max(10, MAX_WIDTH - figures.length());
        String shown = description.length() > room ? description.substring(0, room - 3) + "..." : description;
        return shown + figures;
    }

    private static String text(Shown step, long now) {
        return text(step.description(), step.totalBytes(), step.totalBytes() > 0 ? step.doneBytes().getAsLong() : 0, now - step.started());
    }

    private void startRefreshing() {
        if (refreshing || !refreshInBackground) {
            return;
        }
        refreshing = true;
        Thread thread = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(REFRESH_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                refresh();
            }
        }, "crystal-db-progress");
        thread.setDaemon(true); // never keeps the process alive
        thread.start();
    }
}
