package dev.kiln.error;

/** Input the user can fix: a malformed reference, platform, size or duration. */
public class InvalidInputException extends KilnException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
