package dev.kiln.internal.build;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.Platform;
import dev.kiln.internal.resolve.ResolvedImage;

import java.util.List;

/**
 * What a build produced and what it cost.
 *
 * @param target     where the image went, e.g. {@code registry/repo:tag@sha256:…} or {@code oci:DIR:TAG}
 * @param platform   the image's platform: its base's, as the base's config says (else the one asked for)
 * @param base       the resolved base, or {@code null} for scratch
 * @param appLayers  the layers this build added, with whether each was reused from the layer cache
 * @param publish    what the target received
 */
public record BuildResult(String target, Platform platform, Digest digest, Descriptor manifest, ResolvedImage base,
                          List<AppLayer> appLayers, Publication publish) {

    public record AppLayer(String source, String destination, Descriptor descriptor, Digest diffId, boolean cached) {
    }

    /** Blobs by fate at the target: uploaded, already there (skipped), mounted from the base's repository. */
    public record Publication(int uploaded, long bytesUploaded, int skipped, long bytesSkipped, int mounted,
                              long bytesMounted, boolean manifestPut) {
        /** Nothing sent over the network, no tag moved at a registry: a local sink's image, or a tag already right. */
        public static final Publication LOCAL = new Publication(0, 0, 0, 0, 0, 0, false);
        /** Only a manifest (an index) written. */
        public static final Publication PUT = new Publication(0, 0, 0, 0, 0, 0, true);
    }
}
