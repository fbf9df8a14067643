package dev.kiln.error;

/**
 * Root of Kiln's checked-in-spirit domain failures. Every message is one line a user can act on;
 * credentials never appear in it.
 */
public class KilnException extends RuntimeException {
    public KilnException(String message) {
        super(message);
    }

    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }
}
