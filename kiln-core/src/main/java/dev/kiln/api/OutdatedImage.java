package dev.kiln.api;

/**
 * An image Kiln built whose base tag has moved since: rebuild it (or rebase it) to take the new base.
 *
 * @param builtOn the base's platform image the build used
 * @param baseNow what the base tag resolves to for that platform now
 */
public record OutdatedImage(String image, String platform, String digest, String base, String builtOn, String baseNow) {
}
