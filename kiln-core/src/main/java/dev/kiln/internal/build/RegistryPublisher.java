package dev.kiln.internal.build;

import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.Manifest;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.InFlight;
import dev.kiln.internal.registry.RegistryClient;
import dev.kiln.internal.registry.RegistryTransport;
import dev.kiln.internal.resolve.Futures;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.LocalStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes an image to a registry with as little traffic as possible: blobs the target is known to
 * have are skipped (the tag's current manifest, if Kiln has it, proves its blobs are there; else a
 * HEAD asks), base layers in another repository of the same registry are mounted, the rest are
 * uploaded in parallel, streamed from the store, or, for a base layer the store lacks, uploaded as it
 * downloads from the base's registry into the store. A base layer is read (or downloaded) only when it
 * must be uploaded. The manifest goes last, so a failed push never moves the tag;
 * the images of an index go by digest, the index last under the tag.
 */
final class RegistryPublisher implements ImageSink {
    private final LocalStore store;
    private final Resolver resolver;
    private final RegistryTransport transport;
    private final ExecutorService transfers;
    private final Reference target;
    /** The target tag's current manifest, asked for when the build starts ({@link #start}); null until then. */
    private volatile CompletableFuture<Optional<Descriptor>> tagManifest;

    RegistryPublisher(BuildContext context, RegistryTransport transport, Reference target) {
        this.store = context.store();
        this.resolver = context.resolver();
        this.transfers = context.transfers();
        this.transport = transport;
        this.target = target;
    }

    @Override
    public boolean holdsIndex() {
        return true;
    }

    @Override
    public Reference ledgerName() {
        return target;
    }

    /**
     * Asks for the tag's current manifest (one HEAD) while the layers are built: its round trip, and on a
     * token-auth registry the token's, then cost the build nothing. What it finds is as good at the end:
     * a manifest the tag named proves its blobs are in the repository, and a tag moved meanwhile to this
     * very image is at worst pushed again.
     */
    @Override
    public void start(Telemetry telemetry) {
        if (Thread.currentThread().isInterrupted()) {
            return;   // a cancelled build asks nothing more
        }
        RegistryClient client = new RegistryClient(transport, telemetry);
        tagManifest = Futures.async(() -> client.findManifest(target), transfers);
    }

    @Override
    public void finish() {
        CompletableFuture<Optional<Descriptor>> asked = tagManifest;
        if (asked != null) {
            Futures.awaitAll(List.of(asked));
        }
    }

    /** The tag's current manifest: the answer {@link #start} asked for, else asked now. */
    private Optional<Descriptor> currentTagManifest(RegistryClient client) {
        CompletableFuture<Optional<Descriptor>> asked = tagManifest;
        return asked != null ? Futures.joinAll(List.of(asked)).get(0) : client.findManifest(target);
    }

    @Override
    public String published(RawManifest manifest, boolean inIndex) {
        return (inIndex ? byDigest(manifest) : target.withDigest(manifest.digest())).toString();
    }

    /** The image's name without the tag, pinned to the manifest: how an index's images are pushed. */
    private Reference byDigest(RawManifest manifest) {
        return new Reference(target.registry(), target.repository(), null, manifest.digest());
    }

    @Override
    public BuildResult.Publication putIndex(RawManifest index, List<RawManifest> images, Telemetry telemetry) {
        RegistryClient client = new RegistryClient(transport, telemetry);
        if (alreadyThere(target, currentTagManifest(client), index, telemetry)) {
            return BuildResult.Publication.LOCAL;
        }
        client.putManifest(target, index);
        return new BuildResult.Publication(0, 0, 0, 0, 0, 0, true);
    }

    @Override
    public BuildResult.Publication putImage(RawManifest manifest, ResolvedImage base, boolean inIndex, Telemetry telemetry) {
        Reference destination = inIndex ? byDigest(manifest) : target;
        RegistryClient client = new RegistryClient(transport, telemetry);
        // a blob may be listed more than once (BuildKit's empty WORKDIR layers): each is pushed and counted once
        List<Descriptor> blobs = distinctDigests(manifest.asManifest().blobs());
        Optional<Descriptor> current = inIndex ? client.findManifest(destination) : currentTagManifest(client);
        if (alreadyThere(destination, current, manifest, telemetry)) {
            long total = blobs.stream().mapToLong(Descriptor::size).sum();
            return new BuildResult.Publication(0, 0, blobs.size(), total, 0, 0, false);
        }
        Set<Digest> present = current.flatMap(d -> store.manifest(d.digest()))
                .filter(m -> !m.isIndex())
                .map(m -> blobDigests(m.asManifest()))
                .orElse(Set.of());
        Set<Digest> baseLayers = new HashSet<>();
        if (base != null) {
            base.parsedManifest().layers().forEach(l -> baseLayers.add(l.digest()));
        }
        Counters counters = new Counters();
        List<CompletableFuture<Void>> pushes = blobs.stream()
                .map(blob -> Futures.async(() -> {
                    pushBlob(client, destination, blob, present, baseLayers.contains(blob.digest()) ? base : null, counters, telemetry);
                    return (Void) null;
                }, transfers))
                .toList();
        Futures.joinAll(pushes);
        client.putManifest(destination, manifest);
        return new BuildResult.Publication(counters.uploaded.get(), counters.bytesUploaded.get(), counters.skipped.get(),
                counters.bytesSkipped.get(), counters.mounted.get(), counters.bytesMounted.get(), true);
    }

    private static final class Counters {
        final AtomicInteger uploaded = new AtomicInteger();
        final AtomicLong bytesUploaded = new AtomicLong();
        final AtomicInteger skipped = new AtomicInteger();
        final AtomicLong bytesSkipped = new AtomicLong();
        final AtomicInteger mounted = new AtomicInteger();
        final AtomicLong bytesMounted = new AtomicLong();
    }

    /** The one "the tag already points at it" check, for images and indexes alike: then nothing is pushed. */
    private static boolean alreadyThere(Reference destination, Optional<Descriptor> current, RawManifest manifest, Telemetry telemetry) {
        boolean same = current.isPresent() && current.get().digest().equals(manifest.digest());
        if (same) {
            telemetry.emit(new KilnEvent.CacheDecision(destination.toString(), "unchanged",
                    "the tag already points at " + manifest.digest().shortHex() + "; nothing to push"));
        }
        return same;
    }

    private void pushBlob(RegistryClient client, Reference target, Descriptor blob, Set<Digest> present, ResolvedImage baseOfBlob,
                          Counters counters, Telemetry telemetry) {
        String what = blob.digest().shortHex();
        if (present.contains(blob.digest())
                || client.blobExists(target.registry(), target.repository(), blob.digest(), RegistryClient.pushScope(target.repository()))) {
            telemetry.emit(new KilnEvent.CacheDecision(what, "skip", "the target already has it"));
            counters.skipped.incrementAndGet();
            counters.bytesSkipped.addAndGet(blob.size());
            return;
        }
        if (baseOfBlob != null && baseOfBlob.reference().registry().equals(target.registry())
                && !baseOfBlob.reference().repository().equals(target.repository())
                && client.mountBlob(target.registry(), target.repository(), blob.digest(), baseOfBlob.reference().repository())) {
            telemetry.emit(new KilnEvent.CacheDecision(what, "mount", "mounted from " + baseOfBlob.reference().repository()));
            counters.mounted.incrementAndGet();
            counters.bytesMounted.addAndGet(blob.size());
            return;
        }
        long start = System.nanoTime();
        telemetry.emit(new KilnEvent.TransferStarted(blob.digest().toString(), blob.size(), KilnEvent.Direction.UPLOAD, target.registry()));
        if (baseOfBlob == null || store.blobs().isVerified(blob.digest()) || !uploadWhileDownloading(client, target, blob, baseOfBlob, telemetry)) {
            if (baseOfBlob != null) {
                resolver.ensureLayer(baseOfBlob, blob, telemetry);
            }
            client.uploadBlob(target.registry(), target.repository(), blob.digest(), blob.size(),
                    () -> new ProgressStream(store.blobs().open(blob.digest()), blob, telemetry));
        }
        telemetry.emit(new KilnEvent.TransferFinished(blob.digest().toString(), blob.size(), Duration.ofNanos(System.nanoTime() - start),
                KilnEvent.Direction.UPLOAD));
        counters.uploaded.incrementAndGet();
        counters.bytesUploaded.addAndGet(blob.size());
    }

    /**
     * A base layer the store lacks goes to the target as it comes from the base's registry: one read from
     * the origin, written into the store (which verifies and commits it as always) and uploaded on the way,
     * instead of stored first and read back. The registry verifies the digest on the final PUT, so bytes
     * that do not match are refused there as they are by the store; a download that fails fails the push.
     * Returns false when the upload alone failed (it cannot be retried, its bytes are gone): the layer is
     * then in the store, and the caller uploads it from there.
     */
    private boolean uploadWhileDownloading(RegistryClient client, Reference target, Descriptor blob, ResolvedImage base, Telemetry telemetry) {
        String what = blob.digest().shortHex();
        telemetry.emit(new KilnEvent.CacheDecision(what, "stream", "uploading it to " + target.registry() + " while it downloads from "
                + base.reference().registry() + " into the store"));
        LayerPipe pipe = new LayerPipe(blob.size());
        CompletableFuture<Void> download = new CompletableFuture<>();
        // a thread of its own, not one of the transfer pool's, which may all be uploads waiting on their downloads
        Thread downloader = new Thread(() -> {
            try {
                resolver.ensureLayer(base, blob, telemetry, pipe);
                pipe.finished(() -> store.blobs().open(blob.digest()));
                download.complete(null);
            } catch (Throwable e) {
                pipe.failed(e);
                download.completeExceptionally(e);
            }
        }, "kiln-download-" + what);
        downloader.setDaemon(true);
        downloader.start();
        RuntimeException uploadFailure = null;
        try (InputStream in = new ProgressStream(pipe.input(), blob, telemetry)) {
            client.uploadBlobOnce(target.registry(), target.repository(), blob.digest(), blob.size(), in);
        } catch (RuntimeException e) {
            uploadFailure = e;
        } catch (IOException e) {
            uploadFailure = new UncheckedIOException(e);
        }
        if (Thread.currentThread().isInterrupted()) {
            InFlight.interrupt(downloader);   // the build was cancelled: the download stops too, its connection closed
        }
        try {
            download.join();   // a failed download fails the push, whatever the upload did
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        if (uploadFailure != null) {
            telemetry.emit(new KilnEvent.CacheDecision(what, "upload from store", "the upload while downloading failed ("
                    + uploadFailure.getMessage() + "); the layer is in the store now, uploading it from there"));
            return false;
        }
        return true;
    }

    /** Reports upload progress as the registry client reads a blob from the store. */
    private static final class ProgressStream extends java.io.FilterInputStream {
        private static final long INTERVAL_NANOS = 250_000_000L;
        private final Descriptor blob;
        private final Telemetry telemetry;
        private long read;
        private long lastReport = System.nanoTime();

        ProgressStream(java.io.InputStream in, Descriptor blob, Telemetry telemetry) {
            super(in);
            this.blob = blob;
            this.telemetry = telemetry;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                read += n;
                long now = System.nanoTime();
                if (now - lastReport > INTERVAL_NANOS) {
                    lastReport = now;
                    telemetry.emit(new KilnEvent.TransferProgress(blob.digest().toString(), read, blob.size(),
                            KilnEvent.Direction.UPLOAD));
                }
            }
            return n;
        }
    }

    private static List<Descriptor> distinctDigests(List<Descriptor> blobs) {
        Set<Digest> seen = new HashSet<>();
        return blobs.stream().filter(blob -> seen.add(blob.digest())).toList();
    }

    private static Set<Digest> blobDigests(Manifest manifest) {
        Set<Digest> digests = new HashSet<>();
        manifest.blobs().forEach(d -> digests.add(d.digest()));
        return digests;
    }
}
