package dev.kiln.api.spi;

import java.io.InputStream;
import java.util.Optional;

/**
 * A connection to a local container engine's API (a Docker Engine, Podman's compatible service): what Kiln
 * needs to use the engine as a cache level (find an image, {@code docker save} it) and as a destination
 * ({@code docker load}). Implemented outside kiln-core (the {@code kiln-daemon} module, over docker-java) and
 * found through {@link ContainerEngineProvider}. Kiln never trusts an engine's name matching: it checks
 * the {@link EngineImage#repoTags()} an engine reports against the name it asked for.
 */
public interface ContainerEngine extends AutoCloseable {
    /** Where the engine listens, e.g. {@code unix:///var/run/docker.sock}, for messages. */
    String host();

    /**
     * The image the engine holds under {@code name} ({@code registry/repository:tag}, always in full), if any.
     *
     * @throws dev.kiln.error.DaemonException when the engine cannot be asked
     */
    Optional<EngineImage> inspect(String name);

    /**
     * {@code docker save} of the image named {@code name}: a tar the caller reads and closes.
     *
     * @throws dev.kiln.error.DaemonException when the engine cannot be asked
     */
    InputStream save(String name);

    /**
     * {@code docker load} of the archive {@code tar}, read to its end.
     *
     * @throws dev.kiln.error.DaemonException when the engine refuses it or cannot be asked
     */
    void load(InputStream tar);

    /** Closes the connection; never fails. */
    @Override
    void close();
}
