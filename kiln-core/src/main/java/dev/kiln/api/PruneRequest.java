package dev.kiln.api;

import java.time.Duration;

/**
 * What {@link Kiln#prune(PruneRequest)} removes: images unused for longer than {@code maxAge}, images
 * beyond the {@code keepLast} most recently used digests of their repository, and, once the store is
 * above {@code maxSize}, least recently used images until it fits {@code lowWatermark} (by default
 * {@code maxSize} itself). Every limit is optional; {@code dryRun} only reports. Partial downloads an
 * interrupted pull left are removed once untouched for {@code partialMaxAge} ({@code null}: 24 h); younger
 * ones are kept for the next pull to continue.
 */
public record PruneRequest(Long maxSize, Long lowWatermark, Duration maxAge, Integer keepLast, boolean dryRun,
                           Duration partialMaxAge) {
    /** Without a partial-download age (24 h). */
    public PruneRequest(Long maxSize, Long lowWatermark, Duration maxAge, Integer keepLast, boolean dryRun) {
        this(maxSize, lowWatermark, maxAge, keepLast, dryRun, null);
    }

    /** No limit at all: only blobs no image references, and stale downloads, go. */
    public static PruneRequest unreferencedOnly() {
        return new PruneRequest(null, null, null, null, false, null);
    }

    public PruneRequest withMaxSize(Long bytes) {
        return new PruneRequest(bytes, lowWatermark, maxAge, keepLast, dryRun, partialMaxAge);
    }

    public PruneRequest withLowWatermark(Long bytes) {
        return new PruneRequest(maxSize, bytes, maxAge, keepLast, dryRun, partialMaxAge);
    }

    public PruneRequest withMaxAge(Duration age) {
        return new PruneRequest(maxSize, lowWatermark, age, keepLast, dryRun, partialMaxAge);
    }

    public PruneRequest withKeepLast(Integer digests) {
        return new PruneRequest(maxSize, lowWatermark, maxAge, digests, dryRun, partialMaxAge);
    }

    public PruneRequest withDryRun(boolean onlyReport) {
        return new PruneRequest(maxSize, lowWatermark, maxAge, keepLast, onlyReport, partialMaxAge);
    }

    public PruneRequest withPartialMaxAge(Duration age) {
        return new PruneRequest(maxSize, lowWatermark, maxAge, keepLast, dryRun, age);
    }
}
