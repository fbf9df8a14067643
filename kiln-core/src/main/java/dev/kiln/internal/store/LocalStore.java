package dev.kiln.internal.store;

import dev.kiln.error.StoreException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Manifest;
import dev.kiln.image.RawManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The local store: verified blobs plus reference records, shared safely by several processes.
 * Operations that add content hold a shared {@linkplain #lease() lease}; garbage collection takes
 * the store exclusively, so it never removes what a running pull or build is writing or using.
 */
public final class LocalStore {
    private final StoreLayout layout;
    private final BlobStore blobs;
    private final RecordStore records;
    private final LayerCache layers;
    private final Ledger ledger;
    private final KilnListener listener;

    private LocalStore(StoreLayout layout, KilnListener listener) {
        this.layout = layout;
        this.listener = listener;
        this.blobs = new BlobStore(layout, listener);
        this.records = new RecordStore(layout);
        this.layers = new LayerCache(layout, blobs);
        this.ledger = new Ledger(layout);
    }

    /**
     * The store at {@code root}; {@code create}: made when absent, else an absent store is an error (for
     * commands that only look after a store, where a mistyped directory must not look like an empty cache).
     */
    public static LocalStore open(Path root, KilnListener listener, boolean create) {
        if (!create && !Files.isDirectory(root)) {
            throw new StoreException("no Kiln store at " + root + ": nothing was ever pulled or built with this cache directory");
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw BlobStore.storeFailure("creating the store at " + root, e);
        }
        if (!Files.isWritable(root)) {
            throw new StoreException("the store directory " + root + " is not writable: choose another with --cache-dir or KILN_CACHE_DIR");
        }
        return new LocalStore(new StoreLayout(root), listener);
    }

    public Path root() {
        return layout.root();
    }

    public BlobStore blobs() {
        return blobs;
    }

    public RecordStore records() {
        return records;
    }

    public LayerCache layers() {
        return layers;
    }

    public Ledger ledger() {
        return ledger;
    }

    /** The remembered content digests of the files under {@code source}; close it to save what it learned. */
    public FileDigestCache fileDigests(Path source) {
        return new FileDigestCache(layout.fileDigestsDir().resolve(FileDigestCache.nameFor(source)), Clock.systemUTC());
    }

    StoreLayout layout() {
        return layout;
    }

    /** A use of the store that garbage collection must wait for; close it when done. */
    public Lease lease() {
        return FileLocks.shared(layout.storeLock(), () -> listener.onEvent(
                new KilnEvent.Warning("the store is being cleaned by another process; waiting")));
    }

    /** The store held exclusively if nobody uses it right now (for cleaning that must not wait). */
    Optional<Lease> tryExclusive() {
        return FileLocks.tryExclusive(layout.storeLock());
    }

    Lease exclusive() {
        return FileLocks.exclusive(layout.storeLock(), () -> listener.onEvent(
                new KilnEvent.Warning("the store is in use by another process; waiting to clean it")));
    }

    /** The image manifest stored under {@code digest}, if present and intact. */
    public Optional<RawManifest> manifest(Digest digest) {
        return blobs.readSmall(digest, ImageJson.MAX_MANIFEST_BYTES).map(bytes -> RawManifest.of(bytes, null));
    }

    /** Manifest, config and layers of a stored image manifest: everything its record keeps alive. */
    List<Digest> closure(Digest manifestDigest) {
        Optional<RawManifest> raw = manifest(manifestDigest);
        if (raw.isEmpty() || raw.get().isIndex()) {
            return List.of(manifestDigest);
        }
        Manifest manifest = raw.get().asManifest();
        List<Digest> all = new java.util.ArrayList<>();
        all.add(manifestDigest);
        manifest.blobs().forEach(d -> all.add(d.digest()));
        return all;
    }
}
