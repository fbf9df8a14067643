package dev.kiln.error;

/** Credentials could not be read (Docker config or a docker-credential helper failed). */
public class CredentialException extends KilnException {
    /** A failure described by {@code message}, one line a user can act on. */
    public CredentialException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
