package dev.kiln.api.spi;

/**
 * Connects to container engines; found with {@link java.util.ServiceLoader} (a module such as
 * {@code kiln-daemon} names its implementation in {@code META-INF/services/dev.kiln.api.spi.ContainerEngineProvider}).
 * Without one on the class path, Kiln works as before but has no Docker engine level or destination.
 */
public interface ContainerEngineProvider {
    /**
     * The engine at {@code host} ({@code unix:///…}, {@code tcp://…}); connecting may be lazy.
     *
     * @throws dev.kiln.error.DaemonException when {@code host} is not a usable address
     */
    ContainerEngine connect(String host);
}
