package dev.kiln.error;

/** The local store could not be read or written (I/O error, full disk, lock failure). */
public class StoreException extends KilnException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
