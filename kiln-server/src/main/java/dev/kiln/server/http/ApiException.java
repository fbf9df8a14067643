package dev.kiln.server.http;

/** A request the service refuses: the HTTP status and a one-line reason, sent as {@code {"error": reason}}. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /** {@code status} with {@code reason} (one line, no secrets). */
    public ApiException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    /** 400: the request itself is wrong. */
    public static ApiException badRequest(String reason) {
        return new ApiException(400, reason);
    }

    /** 404: no such thing. */
    public static ApiException notFound(String reason) {
        return new ApiException(404, reason);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }
}
