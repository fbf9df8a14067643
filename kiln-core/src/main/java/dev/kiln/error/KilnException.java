package dev.kiln.error;

/**
 * Root of Kiln's failures: unchecked, and each subtype says what went wrong (see
 * {@link RegistryException} for the data callers decide on). Every message is one line a user can act on;
 * credentials never appear in it.
 */
public class KilnException extends RuntimeException {
    /** A failure described by {@code message}, one line a user can act on. */
    public KilnException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }
}
