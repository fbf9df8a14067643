package dev.kiln.event;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The observer of one operation (a pull, a build): forwards events to the listener and keeps the
 * totals that end up in results and {@code --json} output. Thread-safe.
 */
public final class Telemetry {
    private final KilnListener listener;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytesDownloaded = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private final java.util.List<KilnEvent.StepFinished> steps = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Telemetry forwarding to {@code listener} ({@code null}: none). */
    public Telemetry(KilnListener listener) {
        this.listener = listener == null ? KilnListener.NONE : listener;
    }

    /** Sends {@code event} to the listener; a listener that throws does not break the operation. */
    public void emit(KilnEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException ignored) {
            // a faulty listener must not break a build
        }
    }

    /** Runs {@code step} between a started and a finished (or failed) event. */
    public <T> T step(String name, String detail, Supplier<T> step, java.util.function.Function<T, String> summary) {
        emit(new KilnEvent.StepStarted(name, detail));
        long start = System.nanoTime();
        try {
            T result = step.get();
            KilnEvent.StepFinished finished = new KilnEvent.StepFinished(name, Duration.ofNanos(System.nanoTime() - start),
                    summary.apply(result));
            steps.add(finished);
            emit(finished);
            return result;
        } catch (RuntimeException e) {
            emit(new KilnEvent.StepFailed(name, Duration.ofNanos(System.nanoTime() - start), e.getMessage()));
            throw e;
        }
    }

    /** Counts one HTTP request. */
    public void countRequest() {
        requests.incrementAndGet();
    }

    /** Counts {@code bytes} downloaded. */
    public void countDownloaded(long bytes) {
        bytesDownloaded.addAndGet(bytes);
    }

    /** HTTP requests made so far. */
    public long requests() {
        return requests.get();
    }

    /** Bytes downloaded so far. */
    public long bytesDownloaded() {
        return bytesDownloaded.get();
    }

    /** The steps finished so far, in the order they finished. */
    public java.util.List<KilnEvent.StepFinished> steps() {
        return java.util.List.copyOf(steps);
    }

    /** Time since this telemetry was made. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
