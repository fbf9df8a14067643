package dev.kiln.error;

/** The Docker (or Podman) engine could not be reached or refused an operation. */
public class DaemonException extends KilnException {
    public DaemonException(String message, Throwable cause) {
        super(message, cause);
    }

    public DaemonException(String message) {
        super(message);
    }
}
