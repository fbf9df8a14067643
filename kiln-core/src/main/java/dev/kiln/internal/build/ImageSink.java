package dev.kiln.internal.build;

import dev.kiln.event.Telemetry;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.resolve.ResolvedImage;

import java.util.List;

/**
 * Where a built image goes (go-containerregistry's "sink"): a registry, an OCI image layout, a
 * {@code docker load} tar or a Docker engine. Every image's config, manifest and application layers
 * are in the store when it is put; base layers may not be (a registry sink fetches them only when
 * the target lacks them). A multi-platform build puts each platform's image with {@code inIndex}
 * and then the index; a sink that cannot hold an index says so with {@link #holdsIndex()}, which the
 * runner checks before any request.
 */
public interface ImageSink {

    /** Whether this sink can take an index of several platforms' images. */
    boolean holdsIndex();

    /**
     * The build's bases are resolved and its layers are being built: a sink may begin the requests its
     * publication will need, so that their round trips overlap the build instead of following it (a build
     * whose base fails makes no request to the target).
     */
    default void start(Telemetry telemetry) {
    }

    /** The build is over, published or failed: nothing the sink began in {@link #start} may still run. */
    default void finish() {
    }

    /**
     * Puts one image. {@code inIndex}: it is one platform of an index put next, so it is not tagged
     * (a registry gets it by digest, a layout writes it with the index).
     */
    BuildResult.Publication putImage(RawManifest manifest, ResolvedImage base, boolean inIndex, Telemetry telemetry);

    /** Puts {@code index}, whose platform images ({@code images}) were put with {@code inIndex} just before. */
    BuildResult.Publication putIndex(RawManifest index, List<RawManifest> images, Telemetry telemetry);

    /** The name an image (or index) of {@code manifest} is published under, as a build reports it. */
    String published(RawManifest manifest, boolean inIndex);

    /** The image's name in Kiln's ledger (what outdated and rebase check later); {@code null}: not recorded. */
    default Reference ledgerName() {
        return null;
    }
}
