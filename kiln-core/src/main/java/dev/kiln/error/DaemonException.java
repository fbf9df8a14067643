package dev.kiln.error;

/** The Docker (or Podman) engine could not be reached or refused an operation. */
public class DaemonException extends KilnException {
    /** A failure described by {@code message}, one line a user can act on. */
    public DaemonException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public DaemonException(String message, Throwable cause) {
        super(message, cause);
    }
}
