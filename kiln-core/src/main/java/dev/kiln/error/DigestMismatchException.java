package dev.kiln.error;

/** Content did not match the digest it was addressed by; it was not stored. */
public class DigestMismatchException extends KilnException {
    public DigestMismatchException(String message) {
        super(message);
    }

    public DigestMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
