package dev.kiln.api;

import java.time.Duration;
import java.util.List;

/**
 * What a pull did.
 *
 * @param reference       the normalized reference
 * @param digest          the platform image's manifest digest
 * @param indexDigest     the index (manifest list) the reference resolved to, or {@code null}
 * @param platform        the platform pulled
 * @param source          {@code cache}, or the registry that provided content
 * @param decision        the cache decision and its reason
 * @param requests        HTTP requests made (token requests included)
 * @param bytesDownloaded bytes received from registries
 * @param layersFetched   layers downloaded by this pull
 * @param layersCached    layers already in the store
 * @param duration        how long the pull took
 * @param layers          the image's layers
 */
public record PullResult(String reference, String digest, String indexDigest, String platform, String source,
                         String decision, long requests, long bytesDownloaded, Duration duration,
                         int layersFetched, int layersCached, List<LayerInfo> layers) {

    /** This result as {@code kiln pull --json} prints it (the duration as {@code durationMs}), one document. */
    public String toJson() {
        return ResultJson.pull(this);
    }
}
