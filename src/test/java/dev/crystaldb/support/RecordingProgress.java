package dev.crystaldb.support;

import dev.crystaldb.progress.Progress;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Remembers every step the core announced, with its size and how far it had got when it ended. */
public final class RecordingProgress implements Progress {
    public record Recorded(String description, long totalBytes, long doneAtEnd, boolean ended) {
    }

    private final List<Recorded> steps = new ArrayList<>();

    @Override
    public synchronized Step start(String description, long totalBytes, LongSupplier doneBytes) {
        int index = steps.size();
        steps.add(new Recorded(description, totalBytes, -1, false));
        return () -> {
            synchronized (this) {
                Recorded step = steps.get(index);
                if (!step.ended()) {
                    steps.set(index, new Recorded(description, totalBytes, doneBytes.getAsLong(), true));
                }
            }
        };
    }

    public synchronized List<Recorded> steps() {
        return List.copyOf(steps);
    }

    public synchronized List<String> descriptions() {
        return steps.stream().map(Recorded::description).toList();
    }
}
