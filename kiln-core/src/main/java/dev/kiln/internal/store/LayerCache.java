package dev.kiln.internal.store;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The application-layer cache: a layer's input fingerprint → the blob built from those inputs,
 * so an unchanged layer is reused without tarring or compressing it again. An entry counts only
 * while its blob is in the store and verified.
 */
public final class LayerCache {
    private final StoreLayout layout;
    private final BlobStore blobs;

    LayerCache(StoreLayout layout, BlobStore blobs) {
        this.layout = layout;
        this.blobs = blobs;
    }

    /** A built layer: its descriptor (digest, size, media type) and its uncompressed diff id. */
    public record Entry(Descriptor descriptor, Digest diffId) {
    }

    public Optional<Entry> find(Digest fingerprint) {
        Path file = layout.layerRecord(fingerprint);
        try {
            StoreJson.LayerRecord stored = StoreJson.readLayer(Files.readAllBytes(file));
            if (!blobs.isVerified(stored.digest())) {
                return Optional.empty();
            }
            return Optional.of(new Entry(Descriptor.of(stored.mediaType(), stored.digest(), stored.size()), stored.diffId()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    public void put(Digest fingerprint, Entry entry) {
        Path file = layout.layerRecord(fingerprint);
        try {
            StoreFiles.writeAtomically(file, StoreJson.write(new StoreJson.LayerRecord(entry.descriptor().mediaType(),
                    entry.descriptor().digest(), entry.descriptor().size(), entry.diffId())));
        } catch (IOException e) {
            throw BlobStore.storeFailure("recording a built layer", e);
        }
    }
}
