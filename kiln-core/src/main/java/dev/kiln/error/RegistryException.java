package dev.kiln.error;

/** A registry answered in a way Kiln cannot use (unexpected status, malformed response). */
public class RegistryException extends KilnException {
    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
