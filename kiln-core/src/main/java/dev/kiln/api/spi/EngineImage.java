package dev.kiln.api.spi;

import java.util.List;

/**
 * An image as a {@link ContainerEngine} describes it.
 *
 * @param id       the engine's image ID ({@code sha256:…}, the digest of the image's config)
 * @param os       the operating system the engine reports
 * @param arch     the architecture the engine reports (engines do not all report the variant; the config says)
 * @param repoTags every name the image has in the engine ({@code docker.io/library/flink:1.18}, …)
 * @param diffIds  its layers' digests, uncompressed, bottom first ({@code sha256:…})
 */
public record EngineImage(String id, String os, String arch, List<String> repoTags, List<String> diffIds) {
    /** Copies the lists. */
    public EngineImage {
        repoTags = List.copyOf(repoTags);
        diffIds = List.copyOf(diffIds);
    }
}
