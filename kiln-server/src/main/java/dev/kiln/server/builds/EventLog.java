package dev.kiln.server.builds;

import dev.kiln.server.history.StoredEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The events of one running build, numbered from 1 as they happen: readers of the live stream wait
 * here for what comes after the last one they saw; every event also goes to {@code sink} (the history).
 */
public final class EventLog {
    private final String buildId;
    private final Consumer<StoredEvent> sink;
    private final List<StoredEvent> events = new ArrayList<>();
    private boolean closed;

    EventLog(String buildId, Consumer<StoredEvent> sink) {
        this.buildId = buildId;
        this.sink = sink;
    }

    /** Appends an event of {@code type} with {@code data} (JSON). */
    synchronized void append(String type, String data) {
        if (closed) {
            return;
        }
        StoredEvent event = new StoredEvent(buildId, events.size() + 1L, System.currentTimeMillis(), type, data);
        events.add(event);
        sink.accept(event);
        notifyAll();
    }

    /** No more events: the build is over. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /**
     * The events after {@code seq}; when there are none yet, waits up to {@code waitMillis} for some.
     * Empty and {@link #closed()}: the stream is over.
     */
    public synchronized List<StoredEvent> after(long seq, long waitMillis) throws InterruptedException {
        if (events.size() <= seq && !closed) {
            wait(waitMillis);
        }
        return events.size() <= seq ? List.of() : List.copyOf(events.subList((int) Math.max(seq, 0), events.size()));
    }

    /** Whether the build is over (no event will follow). */
    public synchronized boolean closed() {
        return closed;
    }
}
