package dev.kiln.internal.resolve;

import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.store.BlobWriter;

import java.util.Optional;

/**
 * A level behind the local store that can provide images: a registry, its mirrors, a Docker daemon
 * ({@link DaemonSource}). The {@link Resolver} asks them in a {@link SourceChain}; content they
 * provide is verified and written back to the store.
 */
public interface ImageSource {
    /** How logs and results name this source, e.g. the registry host. */
    String name();

    /** What {@code ref} resolves to now, from one cheap request; empty when the source cannot say. */
    Optional<Descriptor> head(Reference ref);

    /**
     * The manifest or index {@code ref} names.
     *
     * @throws dev.kiln.error.ImageNotFoundException when the source does not hold it
     */
    RawManifest manifest(Reference ref);

    /** Streams {@code blob} of {@code ref}'s repository into {@code into}, which hashes as it writes. */
    void fetchBlob(Reference ref, Descriptor blob, BlobWriter into);

    /**
     * Opens a source for one operation, for sources that need its platform and its telemetry (a
     * Docker engine imports one platform's image, with its own events).
     */
    @FunctionalInterface
    interface Factory {
        /** A source for resolving {@code platform}, reporting to {@code telemetry}. */
        ImageSource open(Platform platform, Telemetry telemetry);
    }
}
