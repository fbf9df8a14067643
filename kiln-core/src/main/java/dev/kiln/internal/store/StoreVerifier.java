package dev.kiln.internal.store;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.Manifest;
import dev.kiln.image.RawManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks the whole store, as after a crash: every blob is re-hashed (one that does not match its
 * digest is removed, as any read would), and every record's references are followed: the tag's
 * manifest or index, each platform's manifest and its config must be present. Layers may be absent
 * (an inspect or a build fetches only what it needs); they are counted, not faulted.
 */
public final class StoreVerifier {
    private final LocalStore store;

    public StoreVerifier(LocalStore store) {
        this.store = store;
    }

    /**
     * @param blobs            blobs re-hashed
     * @param bytes            their total size
     * @param corrupt          blobs whose content did not match their digest (now removed)
     * @param dangling         references from records to content that is not in the store
     * @param layersNotFetched layers of recorded images not in the store (allowed)
     * @param ingestFiles      files in the ingest area (downloads in progress, or left by a crash)
     */
    public record Report(int blobs, long bytes, List<Digest> corrupt, List<String> dangling, int layersNotFetched, int ingestFiles) {
        public Report {
            corrupt = List.copyOf(corrupt);
            dangling = List.copyOf(dangling);
        }

        public boolean ok() {
            return corrupt.isEmpty() && dangling.isEmpty();
        }
    }

    /** Verifies under a store lease, so that cleaning never runs at the same time. */
    public Report verify() {
        try (Lease ignored = store.lease()) {
            List<Digest> corrupt = new ArrayList<>();
            long bytes = 0;
            List<Digest> blobs = store.blobs().list();
            for (Digest digest : blobs) {
                bytes += store.blobs().size(digest);
                if (!store.blobs().rehash(digest)) {
                    corrupt.add(digest);
                }
            }
            List<String> dangling = new ArrayList<>();
            int[] layersMissing = {0};
            for (RefRecord record : store.records().list()) {
                Optional<RawManifest> top = store.manifest(record.digest());
                if (top.isEmpty()) {
                    dangling.add(record.reference() + " → " + record.digest() + " (its manifest or index) is not in the store");
                    continue;
                }
                List<Digest> images = new ArrayList<>();
                if (!top.get().isIndex()) {
                    images.add(record.digest());
                }
                record.platforms().forEach((platform, entry) -> {
                    if (!entry.manifest().equals(record.digest())) {
                        images.add(entry.manifest());
                    }
                });
                for (Digest image : images) {
                    Optional<RawManifest> raw = store.manifest(image);
                    if (raw.isEmpty()) {
                        dangling.add(record.reference() + " → manifest " + image + " is not in the store");
                        continue;
                    }
                    Manifest manifest = raw.get().asManifest();
                    if (!store.blobs().isVerified(manifest.config().digest())) {
                        dangling.add(record.reference() + " → config " + manifest.config().digest() + " is not in the store");
                    }
                    for (Descriptor layer : manifest.layers()) {
                        if (!store.blobs().isVerified(layer.digest())) {
                            layersMissing[0]++;
                        }
                    }
                }
            }
            return new Report(blobs.size(), bytes, corrupt, dangling, layersMissing[0], countFiles(store.layout().ingestDir()));
        }
    }

    private static int countFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.count();
        } catch (IOException e) {
            return 0;
        }
    }
}
