package dev.kiln.api;

import java.time.Duration;
import java.util.List;

/**
 * What a build produced and what it cost.
 *
 * @param image         the published image: {@code registry/repo:tag@sha256:…}, {@code oci:DIR:TAG},
 *                      {@code tar:FILE} or {@code docker-daemon:NAME:TAG}
 * @param digest        the image manifest's digest
 * @param base          the base it was built on, or {@code null} for scratch
 * @param layers        the application layers, bottom first, with whether each was reused unchanged
 * @param blobsUploaded blobs the target received
 * @param blobsSkipped  blobs the target already had
 * @param blobsMounted  blobs mounted from the base's repository on the same registry
 * @param requests      HTTP requests made (base registry, target registry, token servers)
 * @param steps         per-step timings, in the order the steps finished
 * @param platforms     the image of each platform (one, or those of the index {@code image} names), in the order asked
 */
public record BuildResult(String image, String digest, BaseInfo base, List<AppLayer> layers,
                          int blobsUploaded, long bytesUploaded, int blobsSkipped, long bytesSkipped,
                          int blobsMounted, long bytesMounted, long requests, long bytesDownloaded,
                          Duration duration, List<StepTiming> steps, List<PlatformImage> platforms) {

    /** This result as {@code kiln build --json} prints it (the duration as {@code durationMs}), one document. */
    public String toJson() {
        return ResultJson.build(this);
    }

    /** The resolved base: what it was, where it came from, and why. */
    public record BaseInfo(String reference, String digest, String source, String decision) {
    }

    /** One layer the build added: its source and destination, its blob, and whether the layer cache had it. */
    public record AppLayer(String source, String destination, String digest, long size, boolean cached) {
    }

    /** How long one step of the build took, with what the build log said of it. */
    public record StepTiming(String step, long durationMs, String detail) {
    }

    /** One platform's image: its platform (as its config says), where it went, its manifest digest, its base. */
    public record PlatformImage(String platform, String image, String digest, BaseInfo base) {
    }
}
