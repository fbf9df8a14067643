package dev.kiln.error;

/** The registry could not be reached at all (DNS, connection refused, TLS, timeouts after retries): no status. Adds no data to {@link RegistryException}. */
public class RegistryUnreachableException extends RegistryException {
    /** See {@link RegistryException#RegistryException(String, String, int, String, Throwable)}. */
    public RegistryUnreachableException(String message, String registry, int status, String code, Throwable cause) {
        super(message, registry, status, code, cause);
    }
}
