package dev.kiln.error;

/** The local store could not be read or written (I/O error, full disk, lock failure). */
public class StoreException extends KilnException {
    /** A failure described by {@code message}, one line a user can act on. */
    public StoreException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
