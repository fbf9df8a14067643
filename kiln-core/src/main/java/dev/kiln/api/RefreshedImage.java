package dev.kiln.api;

/**
 * One cached tag after {@link Kiln#refresh}: the platform image it pointed at, the one it points at
 * now (fetched when it moved), and whether it moved.
 */
public record RefreshedImage(String reference, String platform, String previousDigest, String digest, boolean moved) {
}
