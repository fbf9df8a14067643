package dev.kiln.error;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A registry failed: it could not be reached, refused, or answered in a way Kiln cannot use. Carries
 * what a caller decides on — the registry, the HTTP status and the registry's own error code — so
 * that callers never parse the message. Content that is malformed wherever it came from (a manifest
 * read from a file, say) is reported with this type too, then without registry or status.
 *
 * <p>The subclasses are thin and add no data: {@link AuthenticationException} (401, 403),
 * {@link ImageNotFoundException} (404) and {@link RegistryUnreachableException} (no answer).
 */
public class RegistryException extends KilnException {
    private static final Set<String> AUTHENTICATION_CODES = Set.of("UNAUTHORIZED", "DENIED");
    private static final Set<String> NOT_FOUND_CODES = Set.of("MANIFEST_UNKNOWN", "BLOB_UNKNOWN", "NAME_UNKNOWN");

    /** The registry involved, or {@code null}. */
    private final String registry;
    /** The HTTP status, or 0 when there was no answer. */
    private final int status;
    /** The registry's error code, or {@code null}. */
    private final String code;

    /** A failure without registry data (malformed content). */
    public RegistryException(String message) {
        this(message, null, 0, null, null);
    }

    /** A failure without registry data (malformed content), with its cause. */
    public RegistryException(String message, Throwable cause) {
        this(message, null, 0, null, cause);
    }

    /**
     * @param registry the registry ({@code host[:port]}), or null when none was involved
     * @param status   the HTTP status of the answer, or 0 when there was none
     * @param code     the registry's error code ({@code MANIFEST_UNKNOWN}, {@code DENIED}, …), or null
     */
    public RegistryException(String message, String registry, int status, String code, Throwable cause) {
        super(message, cause);
        this.registry = registry;
        this.status = status;
        this.code = code;
    }

    /** The registry ({@code host[:port]}) this failure came from, if one was involved. */
    public Optional<String> registry() {
        return Optional.ofNullable(registry);
    }

    /** The HTTP status of the registry's answer; empty when there was no answer. */
    public OptionalInt status() {
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** The first error code of the registry's JSON error body ({@code {"errors":[{"code":…}]}}), if it sent one. */
    public Optional<String> code() {
        return Optional.ofNullable(code);
    }

    /** The registry refused the credentials or the access (401, 403, {@code UNAUTHORIZED}, {@code DENIED}). */
    public boolean isAuthentication() {
        return status == 401 || status == 403 || code != null && AUTHENTICATION_CODES.contains(code);
    }

    /** The registry has no such repository, tag or blob (404, {@code *_UNKNOWN}). */
    public boolean isNotFound() {
        return status == 404 || code != null && NOT_FOUND_CODES.contains(code);
    }

    /** A registry was involved but never answered (DNS, connection, TLS, timeouts, broken transfers). */
    public boolean isUnreachable() {
        return registry != null && status == 0;
    }
}
