package dev.kiln.server.schedule;

import dev.kiln.api.OutdatedImage;
import dev.kiln.server.history.BuildRecord;

import java.time.Instant;

/** The webhook's payloads: {@code type} {@code build} (a build ended) or {@code baseMoved} (an image's base tag moved). */
public final class Notifications {
    private Notifications() {
    }

    /** A finished build: its id, kind, status, target, image with digest, and error. */
    public record Finished(String type, String id, String kind, String status, String to, String image, String digest, String error,
                           Instant finishedAt) {
    }

    /** An image whose base moved: the image, its platform, the base, the digest it was built on and the one the tag names now. */
    public record BaseMoved(String type, String image, String platform, String digest, String base, String builtOn, String baseNow) {
    }

    /** {@code build}'s payload. */
    public static Finished finished(BuildRecord build) {
        return new Finished("build", build.id(), build.kind(), build.status(), build.target(), build.image(), build.digest(), build.error(),
                build.finishedAt() == null ? null : Instant.ofEpochMilli(build.finishedAt()));
    }

    /** {@code image}'s payload. */
    public static BaseMoved baseMoved(OutdatedImage image) {
        return new BaseMoved("baseMoved", image.image(), image.platform(), image.digest(), image.base(), image.builtOn(), image.baseNow());
    }
}
