package dev.kiln.error;

/** The registry refused the credentials (401) or the access (403). Adds no data to {@link RegistryException}. */
public class AuthenticationException extends RegistryException {
    /** See {@link RegistryException#RegistryException(String, String, int, String, Throwable)}. */
    public AuthenticationException(String message, String registry, int status, String code, Throwable cause) {
        super(message, registry, status, code, cause);
    }
}
