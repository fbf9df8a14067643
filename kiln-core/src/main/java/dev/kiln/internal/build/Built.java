package dev.kiln.internal.build;

import dev.kiln.image.Digest;

import java.util.List;

/**
 * A build's outcome, one image or an index of several.
 *
 * @param target where it went ({@code registry/repo:tag@sha256:…}, {@code oci:DIR:TAG}, …)
 * @param images the platforms' images in the order asked (one for a single-platform build)
 */
public record Built(String target, Digest digest, List<BuildResult> images) {
    public Built {
        images = List.copyOf(images);
    }
}
