package dev.kiln.error;

/** Policy 'never' asked for an image the local store does not have. */
public class NotCachedException extends KilnException {
    /** A failure described by {@code message}, one line a user can act on. */
    public NotCachedException(String message) {
        super(message);
    }
}
