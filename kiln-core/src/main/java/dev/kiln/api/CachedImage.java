package dev.kiln.api;

import java.time.Instant;

/** One (reference, platform) entry of the local store, with the bytes its blobs take. */
public record CachedImage(String reference, String platform, String digest, long size, Instant fetchedAt,
                          Instant checkedAt, Instant lastUsed) {
}
