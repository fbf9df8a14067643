package dev.kiln.server.schedule;

import dev.kiln.api.OutdatedImage;
import dev.kiln.server.history.BuildRecord;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The webhook's payloads: {@code type} {@code build} (a build ended) or {@code baseMoved} (an image's base tag moved). */
public final class Notifications {
    private Notifications() {
    }

    /** A finished build: its id, kind, status, target, image with digest, and error. */
    public static Map<String, Object> finished(BuildRecord build) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "build");
        payload.put("id", build.id());
        payload.put("kind", build.kind());
        payload.put("status", build.status());
        payload.put("to", build.target());
        payload.put("image", build.image());
        payload.put("digest", build.digest());
        payload.put("error", build.error());
        payload.put("finishedAt", build.finishedAt() == null ? null : Instant.ofEpochMilli(build.finishedAt()));
        return payload;
    }

    /** An image whose base moved: the image, its platform, the base, the digest it was built on and the one the tag names now. */
    public static Map<String, Object> baseMoved(OutdatedImage image) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "baseMoved");
        payload.put("image", image.image());
        payload.put("platform", image.platform());
        payload.put("digest", image.digest());
        payload.put("base", image.base());
        payload.put("builtOn", image.builtOn());
        payload.put("baseNow", image.baseNow());
        return payload;
    }
}
