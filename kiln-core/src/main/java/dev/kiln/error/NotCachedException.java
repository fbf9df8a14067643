package dev.kiln.error;

/** Policy 'never' asked for an image the local store does not have. */
public class NotCachedException extends KilnException {
    public NotCachedException(String message) {
        super(message);
    }

    public NotCachedException(String message, Throwable cause) {
        super(message, cause);
    }
}
