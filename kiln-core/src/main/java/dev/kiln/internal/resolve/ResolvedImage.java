package dev.kiln.internal.resolve;

import dev.kiln.image.Digest;
import dev.kiln.image.ImageConfig;
import dev.kiln.image.Manifest;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;

/**
 * A base image resolved for one platform: manifest and config are in the store; layers may not be
 * yet (they are fetched only when something needs their bytes).
 *
 * @param reference   what was asked for
 * @param topDigest   what the reference resolved to: an index, or the manifest itself
 * @param manifest    the platform's image manifest, verbatim
 * @param configBytes the image config, verbatim
 * @param source      {@code cache}, or the registry that provided anything new
 * @param decision    the cache decision, in words, for logs and results
 */
public record ResolvedImage(Reference reference, Platform platform, Digest topDigest, RawManifest manifest,
                            byte[] configBytes, ImageConfig config, String source, String decision) {

    public Manifest parsedManifest() {
        return manifest.asManifest();
    }

    public Digest digest() {
        return manifest.digest();
    }
}
