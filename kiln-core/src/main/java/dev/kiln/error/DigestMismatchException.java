package dev.kiln.error;

/** Content did not match the digest it was addressed by; it was not stored. */
public class DigestMismatchException extends KilnException {
    /** A failure described by {@code message}, one line a user can act on. */
    public DigestMismatchException(String message) {
        super(message);
    }
}
