package dev.kiln.event;

/** Receives Kiln's events. Called from worker threads: implementations must be thread-safe and quick. */
@FunctionalInterface
public interface KilnListener {
    /** A listener that ignores every event. */
    KilnListener NONE = event -> { };

    /** Receives one event; exceptions it throws are ignored. */
    void onEvent(KilnEvent event);
}
