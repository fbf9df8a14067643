package dev.kiln.error;

/** An image (index) has no manifest for the requested platform. */
public class PlatformNotFoundException extends KilnException {
    public PlatformNotFoundException(String message) {
        super(message);
    }

    public PlatformNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
