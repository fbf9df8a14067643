package dev.kiln.event;

/** Receives Kiln's events. Called from worker threads: implementations must be thread-safe and quick. */
@FunctionalInterface
public interface KilnListener {
    KilnListener NONE = event -> { };

    void onEvent(KilnEvent event);
}
