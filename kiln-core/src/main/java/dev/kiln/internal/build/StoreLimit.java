package dev.kiln.internal.build;

import dev.kiln.event.KilnEvent;
import dev.kiln.event.Sizes;
import dev.kiln.event.Telemetry;
import dev.kiln.internal.store.LocalStore;
import dev.kiln.internal.store.StoreCollector;

import java.time.Clock;
import java.util.Optional;

/**
 * The store's size limit, applied after every pull and build: a store above {@code maxSize} is cleaned
 * down to the low watermark, least recently used images first, unless another process is using it
 * right now (then it is left for the next operation, with a warning: a build never waits for cleaning).
 */
public final class StoreLimit {
    private final LocalStore store;
    private final StoreCollector.PruneOptions limit;
    private final Clock clock;

    /** {@code limit}: the cleaning the limit triggers (max size, low watermark); {@code null}: no limit. */
    public StoreLimit(LocalStore store, StoreCollector.PruneOptions limit, Clock clock) {
        this.store = store;
        this.limit = limit;
        this.clock = clock;
    }

    /** Cleans the store if it is above its limit, reporting what it did as an event. */
    public void apply(Telemetry telemetry) {
        if (limit == null) {
            return;
        }
        StoreCollector collector = new StoreCollector(store);
        long size = collector.size();
        if (size <= limit.maxSize()) {
            return;
        }
        String over = "the store holds " + Sizes.format(size) + ", above its limit of " + Sizes.format(limit.maxSize());
        Optional<StoreCollector.PruneReport> report = collector.pruneIfIdle(limit, clock.instant());
        telemetry.emit(report.<KilnEvent>map(r -> new KilnEvent.CacheDecision("store", "pruned", over + ": removed "
                        + r.removedImages().size() + " images, " + Sizes.format(r.bytesFreed()) + " freed"))
                .orElseGet(() -> new KilnEvent.Warning(over + "; another process is using it, so it is cleaned later")));
    }
}
