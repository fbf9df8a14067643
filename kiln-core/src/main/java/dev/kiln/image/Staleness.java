package dev.kiln.image;

import dev.kiln.error.InvalidInputException;

import java.time.Duration;

/**
 * How stale a cached tag may be when its registry is not asked or cannot answer (HTTP's
 * {@code max-stale} and {@code stale-if-error}, RFC 5861).
 *
 * @param maxStale     a cached tag not confirmed by its registry for longer than this is checked (one
 *                     HEAD) whatever the policy, and a failed check is then an error; {@code null}: no limit
 * @param staleIfError when a check cannot reach the registry, use the cached digest with a warning
 *                     (within {@code maxStale}) instead of failing
 */
public record Staleness(Duration maxStale, boolean staleIfError) {
    /** No max-stale limit, and no stale-if-error: a failed check is an error. */
    public static final Staleness STRICT = new Staleness(null, false);

    /** Refuses a negative max-stale. */
    public Staleness {
        if (maxStale != null && maxStale.isNegative()) {
            throw new InvalidInputException("max-stale must not be negative");
        }
    }

    /** Whether a tag last confirmed {@code sinceCheck} ago is beyond {@code maxStale}. */
    public boolean exceeded(Duration sinceCheck) {
        return maxStale != null && sinceCheck.compareTo(maxStale) > 0;
    }
}
