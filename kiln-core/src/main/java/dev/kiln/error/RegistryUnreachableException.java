package dev.kiln.error;

/** The registry could not be reached at all (DNS, connection refused, TLS, timeouts after retries). */
public class RegistryUnreachableException extends RegistryException {
    public RegistryUnreachableException(String message) {
        super(message);
    }

    public RegistryUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
