package dev.kiln.api;

/**
 * An image Kiln built on a base, and whether that base's tag has moved since: {@code moved} (rebuild or
 * rebase it to take the new base), {@code current}, or {@code error} when its registry could not say
 * (the others are checked all the same).
 *
 * @param builtOn the base's platform image the build used
 * @param baseNow what the base tag names now (the platform's manifest when the store knows it, else the
 *                tag's digest); {@code null} on error
 * @param status  {@code moved}, {@code current} or {@code error}
 * @param error   why the base could not be checked; {@code null} unless the status is {@code error}
 */
public record OutdatedImage(String image, String platform, String digest, String base, String builtOn, String baseNow, String status,
                            String error) {
    /** The base tag names another image than the build used. */
    public static final String MOVED = "moved";
    /** The base tag still names what the build used. */
    public static final String CURRENT = "current";
    /** The base's registry could not be asked (unreachable, credentials refused, the tag gone). */
    public static final String ERROR = "error";

    /** Whether the base has moved since the build. */
    public boolean moved() {
        return MOVED.equals(status);
    }

    /** Whether the base could not be checked. */
    public boolean failed() {
        return ERROR.equals(status);
    }
}
