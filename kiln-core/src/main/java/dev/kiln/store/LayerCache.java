package dev.kiln.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final StoreLayout layout;
    private final BlobStore blobs;

    LayerCache(StoreLayout layout, BlobStore blobs) {
        this.layout = layout;
        this.blobs = blobs;
    }

    /** A built layer: its descriptor (digest, size, media type) and its uncompressed diff id. */
    public record Entry(Descriptor descriptor, Digest diffId) {
    }

    private record Stored(String mediaType, Digest digest, long size, Digest diffId) {
    }

    /** Initialises the mapper (see {@link LocalStore#warmUp()}). */
    static void warmUp() {
        try {
            JSON.readValue(JSON.writeValueAsBytes(new Stored("", Digest.sha256(new byte[0]), 0, Digest.sha256(new byte[0]))),
                    Stored.class);
        } catch (IOException e) {
            throw new IllegalStateException("a layer record always round-trips", e);
        }
    }

    public Optional<Entry> find(Digest fingerprint) {
        Path file = layout.layerRecord(fingerprint);
        try {
            Stored stored = JSON.readValue(Files.readAllBytes(file), Stored.class);
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
            BlobStore.replaceAtomically(file, JSON.writeValueAsBytes(new Stored(entry.descriptor().mediaType(), entry.descriptor().digest(),
                    entry.descriptor().size(), entry.diffId())));
        } catch (IOException e) {
            throw BlobStore.storeFailure("recording a built layer", e);
        }
    }
}
