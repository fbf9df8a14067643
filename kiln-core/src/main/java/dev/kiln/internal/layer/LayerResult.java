package dev.kiln.internal.layer;

import dev.kiln.image.Digest;

/**
 * What writing a layer learned: the diffId (sha256 of the uncompressed tar, what an image config's
 * {@code rootfs.diff_ids} lists) and the tar's size. The compressed digest and size are left to
 * whoever receives the compressed bytes (the store's BlobWriter hashes them anyway), so the
 * compressed stream is not hashed twice.
 */
public record LayerResult(Digest diffId, long uncompressedSize) {
}
