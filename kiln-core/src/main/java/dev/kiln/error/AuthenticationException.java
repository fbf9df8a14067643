package dev.kiln.error;

/** The registry refused the credentials (401) or the access (403). */
public class AuthenticationException extends RegistryException {
    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
