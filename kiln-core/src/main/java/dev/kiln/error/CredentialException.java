package dev.kiln.error;

/** Credentials could not be read (Docker config or a docker-credential helper failed). */
public class CredentialException extends KilnException {
    public CredentialException(String message) {
        super(message);
    }

    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
