package dev.kiln.api;

import java.time.Instant;

/**
 * One (reference, platform) entry of the local store, with the bytes its blobs take.
 *
 * @param source where its manifest was fetched from: the image's registry or a mirror ({@code host[:port]}),
 *               or {@code docker-daemon}; {@code null} for images cached by a Kiln that did not record it
 */
public record CachedImage(String reference, String platform, String digest, long size, Instant fetchedAt,
                          Instant checkedAt, Instant lastUsed, String source) {
}
