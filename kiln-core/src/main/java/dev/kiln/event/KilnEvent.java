package dev.kiln.event;

import java.time.Duration;

/**
 * What Kiln tells its listener while it works: the build log, as data. Steps come in
 * started / finished / failed pairs; decisions say what was chosen and why; transfers report bytes.
 */
public sealed interface KilnEvent {

    /** A named step began, e.g. {@code resolve base}, {@code pull layers}. */
    record StepStarted(String step, String detail) implements KilnEvent {
    }

    /** A step ended; {@code detail} summarises its outcome (bytes, cache decision). */
    record StepFinished(String step, Duration duration, String detail) implements KilnEvent {
    }

    /** A step failed after {@code duration}; {@code error} is the failure's message. */
    record StepFailed(String step, Duration duration, String error) implements KilnEvent {
    }

    /**
     * A cache decision: {@code outcome} is a short keyword ({@code hit}, {@code miss}, {@code revalidated},
     * {@code moved}, {@code refetch}), {@code reason} says why in words.
     */
    record CacheDecision(String subject, String outcome, String reason) implements KilnEvent {
    }

    /** Which way a blob moves. */
    enum Direction {
        /** From a registry (or a mirror) into the store. */
        DOWNLOAD,
        /** From the store to a registry. */
        UPLOAD
    }

    /** A blob transfer began; {@code size} is its expected length. */
    record TransferStarted(String digest, long size, Direction direction, String peer) implements KilnEvent {
    }

    /** Periodic progress of a transfer, at most a few times per second. */
    record TransferProgress(String digest, long transferred, long size, Direction direction) implements KilnEvent {
    }

    /** A blob transfer ended: {@code bytes} moved in {@code duration}. */
    record TransferFinished(String digest, long bytes, Duration duration, Direction direction) implements KilnEvent {
    }

    /** A request is being retried after a transient failure. */
    record Retrying(String what, int attempt, Duration delay, String reason) implements KilnEvent {
    }

    /** What Kiln did with an input and why, for the log: e.g. where a Flink configuration file's settings went. */
    record Info(String subject, String message) implements KilnEvent {
    }

    /** Something the user should know that did not stop the operation. */
    record Warning(String message) implements KilnEvent {
    }
}
