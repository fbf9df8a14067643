package dev.kiln.error;

/** An image (index) has no manifest for the requested platform. */
public class PlatformNotFoundException extends KilnException {
    /** A failure described by {@code message}, one line a user can act on. */
    public PlatformNotFoundException(String message) {
        super(message);
    }
}
