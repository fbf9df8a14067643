package dev.kiln.internal.resolve;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.error.StoreException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.RegistryClient;
import dev.kiln.internal.store.BlobWriter;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * A registry as an {@link ImageSource}; blob downloads resume with HTTP Range after a broken connection.
 *
 * @param registry  the registry ({@code host[:port]}), also the source's name
 * @param client    the distribution API for this operation
 * @param telemetry the operation's events and counters
 */
record RegistrySource(String registry, RegistryClient client, Telemetry telemetry) implements ImageSource {
    /** Broken connections tolerated in a row without a byte of progress. */
    private static final int MAX_STALLED_RESUMES = 3;
    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    @Override
    public String name() {
        return registry;
    }

    @Override
    public Optional<Descriptor> head(Reference ref) {
        return client.headManifest(ref);
    }

    @Override
    public RawManifest manifest(Reference ref) {
        return client.getManifest(ref);
    }

    @Override
    public void fetchBlob(Reference ref, Descriptor blob, BlobWriter into) {
        String digest = blob.digest().toString();
        telemetry.emit(new KilnEvent.TransferStarted(digest, blob.size(), KilnEvent.Direction.DOWNLOAD, registry));
        long start = System.nanoTime();
        long progressMark = -1;
        for (int stalled = 0, attempt = 1; ; attempt++) {
            RegistryClient.BlobStream stream = client.openBlob(ref.registry(), ref.repository(), blob.digest(), into.written());
            try (InputStream body = stream.body()) {
                if (stream.start() == 0 && into.written() > 0) {
                    into.reset();
                }
                copy(body, into, blob);
                break;
            } catch (IOException e) {
                stalled = into.written() > progressMark ? 0 : stalled + 1;
                progressMark = into.written();
                if (stalled >= MAX_STALLED_RESUMES) {
                    throw new RegistryUnreachableException("download of blob " + blob.digest().shortHex() + " from " + registry
                            + " kept failing without progress: " + e.getMessage(), registry, 0, null, e);
                }
                telemetry.emit(new KilnEvent.Retrying("blob " + blob.digest().shortHex(), attempt + 1, Duration.ZERO,
                        "connection broke at byte " + into.written() + " (" + e.getMessage() + "); resuming"));
            }
        }
        telemetry.emit(new KilnEvent.TransferFinished(digest, into.written(), Duration.ofNanos(System.nanoTime() - start),
                KilnEvent.Direction.DOWNLOAD));
    }

    private void copy(InputStream body, BlobWriter into, Descriptor blob) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long lastProgress = System.nanoTime();
        for (int n; (n = body.read(buffer)) > 0; ) {
            if (blob.size() >= 0 && into.written() + n > blob.size()) {
                throw new DigestMismatchException("registry " + registry + " sent more than the " + blob.size()
                        + " bytes of blob " + blob.digest() + "; it was not stored");
            }
            try {
                into.write(buffer, 0, n);
            } catch (IOException e) {
                // the store's disk, not the network: no retry or resume helps (a full disk above all)
                throw new StoreException("cannot write blob " + blob.digest().shortHex() + " into the store: " + e.getMessage(), e);
            }
            telemetry.countDownloaded(n);
            long now = System.nanoTime();
            if (now - lastProgress > PROGRESS_INTERVAL_NANOS) {
                lastProgress = now;
                telemetry.emit(new KilnEvent.TransferProgress(blob.digest().toString(), into.written(), blob.size(),
                        KilnEvent.Direction.DOWNLOAD));
            }
        }
        if (blob.size() >= 0 && into.written() < blob.size()) {
            // a connection closed cleanly before the length announced: resumed like a reset
            throw new IOException("the body ended after " + into.written() + " of " + blob.size() + " bytes");
        }
    }
}
