package dev.kiln.internal.store;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Digest;
import dev.kiln.image.Reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Garbage collection: drops cached images by age since last use, beyond the last N digests of each
 * repository, and, least recently used first, once the store is above a size (high watermark)
 * until it fits a lower one (low watermark), as kubelet's image GC does; then deletes every blob no
 * remaining record references, stale ingest files and orphaned stamps. Runs with the store held
 * exclusively, so never while a pull or build holds a lease on it.
 */
public final class StoreCollector {
    private final LocalStore store;

    public StoreCollector(LocalStore store) {
        this.store = store;
    }

    /** One cached image: a (reference, platform) entry of a record. */
    public record CachedImage(String reference, String platform, Digest manifest, Instant fetchedAt, Instant checkedAt,
                              Instant lastUsed, long size, String source) {
    }

    /**
     * @param maxSize      above this many bytes the store is cleaned ({@code null}: no size limit)
     * @param lowWatermark ... down to this many ({@code null}: to {@code maxSize})
     * @param maxAge       drop images not used for longer than this ({@code null}: no age limit)
     * @param keepLast     per repository, keep only the images of its N most recently used digests ({@code null}: all)
     * @param partialMaxAge remove partial downloads in {@code ingest/} untouched for longer than this ({@code null}: 24 h);
     *                     younger ones are kept, for the next pull to continue
     */
    public record PruneOptions(Long maxSize, Long lowWatermark, Duration maxAge, Integer keepLast, boolean dryRun,
                               Duration partialMaxAge) {
        /** Partial downloads younger than this are kept for the next pull to continue. */
        public static final Duration DEFAULT_PARTIAL_MAX_AGE = Duration.ofHours(24);

        public PruneOptions {
            if (partialMaxAge == null) {
                partialMaxAge = DEFAULT_PARTIAL_MAX_AGE;
            } else if (partialMaxAge.isNegative()) {
                throw new InvalidInputException("the age of partial downloads to remove must not be negative");
            }
            if (lowWatermark != null && (maxSize == null || lowWatermark > maxSize)) {
                throw new InvalidInputException("the low watermark must be at most the maximum size");
            }
            if (keepLast != null && keepLast < 1) {
                throw new InvalidInputException("keep-last must be at least 1, not " + keepLast);
            }
        }
    }

    public record PruneReport(List<CachedImage> removedImages, int blobsRemoved, long bytesBefore, long bytesAfter,
                              boolean dryRun) {
        public long bytesFreed() {
            return bytesBefore - bytesAfter;
        }
    }

    /** Every cached image with the bytes its blobs take (shared blobs counted in each). */
    public List<CachedImage> list() {
        List<CachedImage> images = new ArrayList<>();
        for (RefRecord record : store.records().list()) {
            record.platforms().forEach((platform, entry) -> {
                long size = store.closure(entry.manifest()).stream().mapToLong(store.blobs()::size).sum();
                images.add(new CachedImage(record.reference(), platform, entry.manifest(), entry.fetchedAt(),
                        record.checkedAt(), entry.usedAt(), size, entry.source()));
            });
        }
        images.sort(Comparator.comparing(CachedImage::reference).thenComparing(CachedImage::platform));
        return images;
    }

    public PruneReport prune(PruneOptions options, Instant now) {
        try (Lease ignored = store.exclusive()) {
            return collect(options, now);
        }
    }

    /** {@link #prune}, but only if nobody uses the store right now: empty when a pull or build holds it. */
    public Optional<PruneReport> pruneIfIdle(PruneOptions options, Instant now) {
        Optional<Lease> lease = store.tryExclusive();
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try (Lease ignored = lease.get()) {
            return Optional.of(collect(options, now));
        }
    }

    /** The bytes the store's blobs take. */
    public long size() {
        return store.blobs().list().stream().mapToLong(store.blobs()::size).sum();
    }

    /** Removes every platform of {@code ref} and the blobs no other image uses. */
    public PruneReport remove(Reference ref) {
        String reference = ref.toString();
        try (Lease ignored = store.exclusive()) {
            return collect(image -> image.reference().equals(reference), images -> List.of(), null, null, false,
                    Instant.now().minus(PruneOptions.DEFAULT_PARTIAL_MAX_AGE));
        }
    }

    private PruneReport collect(PruneOptions options, Instant now) {
        Instant oldest = options.maxAge() == null ? null : now.minus(options.maxAge());
        return collect(image -> oldest != null && image.lastUsed().isBefore(oldest),
                images -> options.keepLast() == null ? List.of() : beyondLast(images, options.keepLast()),
                options.maxSize(), options.lowWatermark(), options.dryRun(), now.minus(options.partialMaxAge()));
    }

    /** Per repository, the images whose digest is not among its {@code n} most recently used. */
    private static List<CachedImage> beyondLast(List<CachedImage> images, int n) {
        Map<String, List<CachedImage>> byRepository = new LinkedHashMap<>();
        for (CachedImage image : images) {
            byRepository.computeIfAbsent(Reference.parse(image.reference()).name(), r -> new ArrayList<>()).add(image);
        }
        List<CachedImage> beyond = new ArrayList<>();
        for (List<CachedImage> repository : byRepository.values()) {
            repository.sort(Comparator.comparing(CachedImage::lastUsed).reversed());
            Set<Digest> recent = new LinkedHashSet<>();
            for (CachedImage image : repository) {
                if (recent.size() < n) {
                    recent.add(image.manifest());
                }
                if (!recent.contains(image.manifest())) {
                    beyond.add(image);
                }
            }
        }
        return beyond;
    }

    /**
     * Drops what {@code drop} and {@code excess} name, then to the watermarks, and partial downloads last written
     * before {@code partialsBefore}; the caller holds the store exclusively.
     */
    private PruneReport collect(Predicate<CachedImage> drop, Function<List<CachedImage>, List<CachedImage>> excess,
                                Long maxSize, Long lowWatermark, boolean dryRun, Instant partialsBefore) {
        List<RefRecord> records = store.records().list();
        Map<Digest, Long> sizes = new HashMap<>();
        store.blobs().list().forEach(d -> sizes.put(d, store.blobs().size(d)));
        long before = sizes.values().stream().mapToLong(Long::longValue).sum();

        List<CachedImage> kept = new ArrayList<>(list());
        kept.sort(Comparator.comparing(CachedImage::lastUsed));
        List<CachedImage> removed = new ArrayList<>(kept.stream().filter(drop).toList());
        kept.removeAll(removed);
        List<CachedImage> beyond = excess.apply(kept);
        removed.addAll(beyond);
        kept.removeAll(beyond);
        if (maxSize != null && liveSize(records, kept, sizes) > maxSize) {
            long target = lowWatermark != null ? lowWatermark : maxSize;
            while (!kept.isEmpty() && liveSize(records, kept, sizes) > target) {
                removed.add(kept.remove(0));
            }
        }
        Set<Digest> live = live(records, kept);
        List<Digest> garbage = sizes.keySet().stream().filter(d -> !live.contains(d)).toList();
        long after = before - garbage.stream().mapToLong(sizes::get).sum();
        if (!dryRun) {
            apply(removed);
            garbage.forEach(store.blobs()::delete);
            cleanDebris(partialsBefore);
        }
        return new PruneReport(removed, garbage.size(), before, after, dryRun);
    }

    private long liveSize(List<RefRecord> records, List<CachedImage> kept, Map<Digest, Long> sizes) {
        return live(records, kept).stream().mapToLong(d -> sizes.getOrDefault(d, 0L)).sum();
    }

    /** Blobs kept alive by the kept images: their closures plus the top-level index of each record. */
    private Set<Digest> live(List<RefRecord> records, List<CachedImage> kept) {
        Set<Digest> live = new HashSet<>();
        Set<String> keptReferences = new HashSet<>();
        for (CachedImage image : kept) {
            live.addAll(store.closure(image.manifest()));
            keptReferences.add(image.reference());
        }
        for (RefRecord record : records) {
            if (keptReferences.contains(record.reference())) {
                live.add(record.digest());
            }
        }
        return live;
    }

    private void apply(List<CachedImage> removed) {
        Map<String, List<String>> platformsByReference = new LinkedHashMap<>();
        removed.forEach(i -> platformsByReference.computeIfAbsent(i.reference(), r -> new ArrayList<>()).add(i.platform()));
        platformsByReference.forEach((reference, platforms) -> store.records().update(Reference.parse(reference), current -> {
            Optional<RefRecord> updated = current;
            for (String platform : platforms) {
                updated = updated.map(r -> r.withoutPlatform(platform));
            }
            return updated.filter(r -> !r.platforms().isEmpty());
        }));
    }

    /**
     * Nobody is writing (the store is held exclusively): temporary files are stale, and so are partial
     * downloads last written before {@code partialsBefore} (younger ones wait for the next pull to continue them).
     */
    private void cleanDebris(Instant partialsBefore) {
        StoreLayout layout = store.layout();
        deleteFiles(layout.ingestDir(), f -> !lastModified(f).isAfter(partialsBefore) || f.getFileName().toString().startsWith("new-"));
        deleteFiles(layout.fileDigestsDir(), f -> f.getFileName().toString().endsWith(".tmp"));
        deleteFiles(layout.verifiedDir(), f -> !Files.exists(layout.blobsDir().resolve(f.getFileName())));
        // a layer's index goes with its blob (the blob is fetched and indexed again if a build needs it)
        deleteFiles(layout.layerIndexDir(), f -> f.getFileName().toString().endsWith(".tmp")
                || !Files.exists(layout.blobsDir().resolve(f.getFileName())));
        deleteFiles(layout.locksDir(), f -> f.getFileName().toString().length() == 64 + ".lock".length());
    }

    private static Instant lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException gone) {
            return Instant.MIN;
        }
    }

    private static void deleteFiles(Path dir, Predicate<Path> which) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(which).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw BlobStore.storeFailure("cleaning " + dir, e);
        }
    }
}
