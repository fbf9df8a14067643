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

    public Telemetry(KilnListener listener) {
        this.listener = listener == null ? KilnListener.NONE : listener;
    }

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

    public void countRequest() {
        requests.incrementAndGet();
    }

    public void countDownloaded(long bytes) {
        bytesDownloaded.addAndGet(bytes);
    }

    public long requests() {
        return requests.get();
    }

    public long bytesDownloaded() {
        return bytesDownloaded.get();
    }

    /** The steps finished so far, in the order they finished. */
    public java.util.List<KilnEvent.StepFinished> steps() {
        return java.util.List.copyOf(steps);
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
