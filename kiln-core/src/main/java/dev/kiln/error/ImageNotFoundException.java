package dev.kiln.error;

/** The registry has no such repository, tag or digest (404). Adds no data to {@link RegistryException}. */
public class ImageNotFoundException extends RegistryException {
    /** A failure described by {@code message}, one line a user can act on. */
    public ImageNotFoundException(String message) {
        super(message);
    }

    /** See {@link RegistryException#RegistryException(String, String, int, String, Throwable)}. */
    public ImageNotFoundException(String message, String registry, int status, String code, Throwable cause) {
        super(message, registry, status, code, cause);
    }

    /** Always: whoever raised it (a registry, or a local level such as a Docker engine) knows the image is not there. */
    @Override
    public boolean isNotFound() {
        return true;
    }
}
