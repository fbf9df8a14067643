package dev.kiln.error;

/** The registry has no such repository, tag or digest. */
public class ImageNotFoundException extends RegistryException {
    public ImageNotFoundException(String message) {
        super(message);
    }

    public ImageNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
