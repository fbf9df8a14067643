package dev.kiln.server.history;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where a build is; the history stores, and the API serves, its lower-case {@link #wire() name}. */
public enum BuildStatus {
    /** Waiting for a replica. */
    QUEUED,
    /** Running on a replica. */
    RUNNING,
    /** Published. */
    SUCCEEDED,
    /** Ended with an error. */
    FAILED,
    /** Cancelled by a caller. */
    CANCELLED,
    /** The service stopped while it ran or waited. */
    INTERRUPTED;

    /** {@code queued}, {@code running}, …: the status in the history's rows and the API's documents. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a build with this status is over: every status but queued and running. */
    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }

    /** The status whose {@link #wire()} name is {@code name}; empty for any other string. */
    public static Optional<BuildStatus> of(String name) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(name)).findFirst();
    }
}
