package dev.kiln.error;

/** Input the user can fix: a malformed reference, platform, size or duration. */
public class InvalidInputException extends KilnException {
    /** A failure described by {@code message}, one line a user can act on. */
    public InvalidInputException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
