package dev.kiln.api;

import dev.kiln.error.InvalidInputException;

import java.time.Duration;

/**
 * What {@link Kiln#prune(PruneRequest)} removes: images unused for longer than {@code maxAge}, images
 * beyond the {@code keepLast} most recently used digests of their repository, and, once the store is
 * above {@code maxSize}, least recently used images until it fits {@code lowWatermark} (by default
 * {@code maxSize} itself). Every limit is optional; {@code dryRun} only reports. Immutable; made with
 * {@link #builder()} (the store checks the limits' values when it prunes, with the CLI's messages).
 *
 * @param maxSize      bytes the store may hold; {@code null}: no size limit
 * @param lowWatermark bytes to clean down to once above {@code maxSize}; {@code null}: {@code maxSize}
 * @param maxAge       images unused for longer go; {@code null}: no age limit
 * @param keepLast     per repository, keep only the images of its N most recently used digests; {@code null}: all
 * @param dryRun       only report what would go
 * @param partialMaxAge partial downloads an interrupted pull left in the store are removed once untouched for
 *                     this long; {@code null}: 24 h (younger ones are kept for the next pull to continue)
 */
public record PruneRequest(Long maxSize, Long lowWatermark, Duration maxAge, Integer keepLast, boolean dryRun,
                           Duration partialMaxAge) {
    /** Refuses a low watermark without a maximum size, which it would not apply to. */
    public PruneRequest {
        if (lowWatermark != null && maxSize == null) {
            throw new InvalidInputException("--low-watermark applies only with --max-size (the size above which cleaning starts); give both");
        }
    }

    /** No limit at all: only blobs no image references, and stale downloads, go. */
    public static PruneRequest unreferencedOnly() {
        return builder().build();
    }

    /** A builder with no limits set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects a cleanup's limits. */
    public static final class Builder {
        private Long maxSize;
        private Long lowWatermark;
        private Duration maxAge;
        private Integer keepLast;
        private boolean dryRun;
        private Duration partialMaxAge;

        private Builder() {
        }

        /** See {@link PruneRequest#maxSize()}; once above it, cleaning goes down to the size itself. */
        public Builder maxSize(Long bytes) {
            return maxSize(bytes, null);
        }

        /**
         * See {@link PruneRequest#maxSize()} and {@link PruneRequest#lowWatermark()}: once the store is above
         * {@code bytes}, cleaning goes down to {@code lowWatermark} ({@code null}: to {@code bytes}).
         */
        public Builder maxSize(Long bytes, Long lowWatermark) {
            this.maxSize = bytes;
            this.lowWatermark = lowWatermark;
            return this;
        }

        /** See {@link PruneRequest#maxAge()}. */
        public Builder maxAge(Duration age) {
            this.maxAge = age;
            return this;
        }

        /** See {@link PruneRequest#keepLast()}. */
        public Builder keepLast(Integer digests) {
            this.keepLast = digests;
            return this;
        }

        /** See {@link PruneRequest#dryRun()}. */
        public Builder dryRun(boolean onlyReport) {
            this.dryRun = onlyReport;
            return this;
        }

        /** See {@link PruneRequest#partialMaxAge()}. */
        public Builder partialMaxAge(Duration age) {
            this.partialMaxAge = age;
            return this;
        }

        /** The immutable request; a low watermark without a maximum size (which it would not apply to) is refused. */
        public PruneRequest build() {
            return new PruneRequest(maxSize, lowWatermark, maxAge, keepLast, dryRun, partialMaxAge);
        }
    }
}
