package dev.kiln.resolve;

import dev.kiln.image.Descriptor;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.store.BlobWriter;

import java.util.Optional;

/**
 * A level behind the local store that can provide images: the origin registry today; mirrors and
 * a Docker daemon implement the same small interface. Content it provides is verified and written
 * back to the store by the {@link Resolver}.
 */
public interface ImageSource {
    /** How logs and results name this source, e.g. the registry host. */
    String name();

    /** What {@code ref} resolves to now, from one cheap request; empty when the source cannot say. */
    Optional<Descriptor> head(Reference ref);

    /** The manifest or index {@code ref} names. */
    RawManifest manifest(Reference ref);

    /** Streams {@code blob} of {@code ref}'s repository into {@code into}, which hashes as it writes. */
    void fetchBlob(Reference ref, Descriptor blob, BlobWriter into);
}
