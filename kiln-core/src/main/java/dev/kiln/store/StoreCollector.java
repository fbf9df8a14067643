package dev.kiln.store;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Garbage collection: drops cached images by age since last use and, least recently used first,
 * until the store fits a size; then deletes every blob no remaining record references, stale
 * ingest files and orphaned stamps. Runs with the store held exclusively.
 */
public final class StoreCollector {
    private final LocalStore store;

    public StoreCollector(LocalStore store) {
        this.store = store;
    }

    /** One cached image: a (reference, platform) entry of a record. */
    public record CachedImage(String reference, String platform, Digest manifest, Instant fetchedAt, Instant checkedAt,
                              Instant lastUsed, long size) {
    }

    /**
     * @param maxSize keep the store at or below this many bytes ({@code null}: no size limit)
     * @param maxAge  drop images not used for longer than this ({@code null}: no age limit)
     */
    public record PruneOptions(Long maxSize, Duration maxAge, boolean dryRun) {
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
                        record.checkedAt(), entry.usedAt(), size));
            });
        }
        images.sort(Comparator.comparing(CachedImage::reference).thenComparing(CachedImage::platform));
        return images;
    }

    public PruneReport prune(PruneOptions options, Instant now) {
        Instant oldest = options.maxAge() == null ? null : now.minus(options.maxAge());
        return collect(image -> oldest != null && image.lastUsed().isBefore(oldest), options.maxSize(), options.dryRun());
    }

    /** Removes every platform of {@code ref} and the blobs no other image uses. */
    public PruneReport remove(Reference ref) {
        String reference = ref.toString();
        return collect(image -> image.reference().equals(reference), null, false);
    }

    private PruneReport collect(Predicate<CachedImage> drop, Long maxSize, boolean dryRun) {
        try (Lease ignored = store.exclusive()) {
            List<RefRecord> records = store.records().list();
            Map<Digest, Long> sizes = new HashMap<>();
            store.blobs().list().forEach(d -> sizes.put(d, store.blobs().size(d)));
            long before = sizes.values().stream().mapToLong(Long::longValue).sum();

            List<CachedImage> kept = new ArrayList<>(list());
            kept.sort(Comparator.comparing(CachedImage::lastUsed));
            List<CachedImage> removed = new ArrayList<>(kept.stream().filter(drop).toList());
            kept.removeAll(removed);
            if (maxSize != null) {
                while (!kept.isEmpty() && liveSize(records, kept, sizes) > maxSize) {
                    removed.add(kept.remove(0));
                }
            }
            Set<Digest> live = live(records, kept);
            List<Digest> garbage = sizes.keySet().stream().filter(d -> !live.contains(d)).toList();
            long after = before - garbage.stream().mapToLong(sizes::get).sum();
            if (!dryRun) {
                apply(removed);
                garbage.forEach(store.blobs()::delete);
                cleanDebris();
            }
            return new PruneReport(removed, garbage.size(), before, after, dryRun);
        }
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

    /** Nobody is writing (the store is held exclusively): every ingest and temporary file is stale. */
    private void cleanDebris() {
        StoreLayout layout = store.layout();
        deleteFiles(layout.ingestDir(), f -> true);
        deleteFiles(layout.fileDigestsDir(), f -> f.getFileName().toString().endsWith(".tmp"));
        deleteFiles(layout.verifiedDir(), f -> !Files.exists(layout.blobsDir().resolve(f.getFileName())));
        deleteFiles(layout.locksDir(), f -> f.getFileName().toString().length() == 64 + ".lock".length());
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
