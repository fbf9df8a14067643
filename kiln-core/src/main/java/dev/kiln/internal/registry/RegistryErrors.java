package dev.kiln.internal.registry;

import dev.kiln.error.AuthenticationException;
import dev.kiln.error.ImageNotFoundException;
import dev.kiln.error.RegistryException;

/**
 * Makes the one registry error type from what happened, so the type a caller may still test
 * ({@link AuthenticationException}, {@link ImageNotFoundException}) always agrees with the status.
 */
final class RegistryErrors {
    private RegistryErrors() {
    }

    /** An error about an answer: {@code status} picks the subclass. */
    static RegistryException answered(String message, String registry, int status, String code) {
        return switch (status) {
            case 401, 403 -> new AuthenticationException(message, registry, status, code, null);
            case 404 -> new ImageNotFoundException(message, registry, status, code, null);
            default -> new RegistryException(message, registry, status, code, null);
        };
    }

    /** A status the caller did not expect, with the registry's own words; reads the body. */
    static RegistryException unexpected(String registry, RegistryResponse response, String what) {
        Bodies.ErrorBody error = Bodies.errorBody(response);
        return answered("registry " + registry + " answered " + response.statusCode() + " to " + what + error.detail(),
                registry, response.statusCode(), error.code());
    }

    /** The innermost cause's message, or its type when it has none. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
