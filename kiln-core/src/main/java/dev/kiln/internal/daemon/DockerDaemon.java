package dev.kiln.internal.daemon;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.kiln.internal.archive.BlobReader;
import dev.kiln.internal.archive.DockerArchiveWriter;
import dev.kiln.error.DaemonException;
import dev.kiln.image.Digest;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One Docker Engine API endpoint ({@code unix:///var/run/docker.sock}, Podman's
 * {@code unix:///run/podman/podman.sock}, {@code tcp://host:2375}). Names are always sent in full
 * ({@code docker.io/library/flink:1.18}) and what the engine answers is checked against them: an
 * engine that resolves short names, as Podman does, is never taken at its word.
 */
public final class DockerDaemon implements AutoCloseable {
    private static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    private final String host;
    private final DockerClient client;

    private DockerDaemon(String host) {
        this.host = host;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        this.client = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .build());
    }

    /** The engine at {@code host}; {@code null}: {@code DOCKER_HOST}, else Docker's standard socket. */
    public static DockerDaemon connect(String host) {
        String chosen = host != null && !host.isBlank() ? host : Optional.ofNullable(System.getenv("DOCKER_HOST"))
                .filter(h -> !h.isBlank()).orElse(DEFAULT_HOST);
        try {
            return new DockerDaemon(chosen);
        } catch (RuntimeException e) {
            throw new DaemonException("invalid Docker host '" + chosen + "': " + e.getMessage(), e);
        }
    }

    public String host() {
        return host;
    }

    /** The name engines are asked for: registry, repository and tag, never a short form. */
    static String fullName(Reference ref) {
        return ref.name() + ":" + ref.tag();
    }

    /** The image the engine holds under exactly {@code ref} (a tag), if any. */
    public Optional<DaemonImage> find(Reference ref) {
        String name = fullName(ref);
        InspectImageResponse image;
        try {
            image = client.inspectImageCmd(name).exec();
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw unavailable("inspect " + name, e);
        }
        List<String> tags = image.getRepoTags() == null ? List.of() : image.getRepoTags();
        if (tags.stream().noneMatch(tag -> sameTag(tag, ref))) {
            return Optional.empty();   // the engine matched a short name or another registry's image
        }
        List<String> layers = image.getRootFS() == null || image.getRootFS().getLayers() == null ? List.of()
                : image.getRootFS().getLayers();
        return Optional.of(new DaemonImage(name, Digest.parse(image.getId()), image.getOs(), image.getArch(),
                layers.stream().map(Digest::parse).toList()));
    }

    private static boolean sameTag(String tag, Reference ref) {
        try {
            Reference named = Reference.parse(tag);
            return named.registry().equals(ref.registry()) && named.repository().equals(ref.repository())
                    && ref.tag().equals(named.tag());
        } catch (RuntimeException e) {
            return false;   // a name Kiln cannot parse is not the one asked for
        }
    }

    /** {@code docker save} of the image named {@code name}: a tar the caller reads and closes. */
    public InputStream save(String name) {
        try {
            return client.saveImageCmd(name).exec();
        } catch (RuntimeException e) {
            throw unavailable("save " + name, e);
        }
    }

    /** {@code docker load} of the archive {@code tar}, read to its end. */
    public void load(InputStream tar) {
        try {
            client.loadImageCmd(tar).exec();
        } catch (RuntimeException e) {
            throw unavailable("load an image", e);
        }
    }

    /**
     * {@code docker load} of one image streamed from {@code blobs} (no temporary archive), then checked:
     * the engine must now have {@code name} with the config's digest as its image ID.
     */
    public void loadImage(Reference name, RawManifest manifest, byte[] config, BlobReader blobs, Executor writer) {
        PipedInputStream archive = new PipedInputStream(1 << 20);
        CompletableFuture<Void> writing;
        try {
            PipedOutputStream out = new PipedOutputStream(archive);
            writing = CompletableFuture.runAsync(() -> {
                try (out) {
                    new DockerArchiveWriter().write(out, fullName(name), manifest, config, manifest.asManifest().layers(), blobs);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, writer);
        } catch (IOException e) {
            throw new DaemonException("cannot stream an image to the Docker daemon: " + e.getMessage(), e);
        }
        DaemonException loadFailure = null;
        try (archive) {
            load(archive);
        } catch (DaemonException e) {
            loadFailure = e;
        } catch (IOException e) {
            // closing a pipe: nothing to report
        }
        try {
            writing.join();
        } catch (CompletionException e) {
            // the archive's own failure (a corrupt blob) explains a failed load better than the engine can
            if (e.getCause() instanceof RuntimeException cause && !(cause instanceof UncheckedIOException && loadFailure != null)) {
                throw cause;
            }
        }
        if (loadFailure != null) {
            throw loadFailure;
        }
        Digest expected = manifest.asManifest().config().digest();
        DaemonImage loaded = find(name).orElseThrow(() -> new DaemonException("the Docker daemon at " + host
                + " accepted the image but has no " + fullName(name) + " afterwards"));
        if (!loaded.id().equals(expected)) {
            throw new DaemonException("the Docker daemon at " + host + " has " + fullName(name) + " as " + loaded.id()
                    + " after loading " + expected);
        }
    }

    private DaemonException unavailable(String what, RuntimeException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new DaemonException("the Docker daemon at " + host + " failed to " + what + ": " + reason, e);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing idle connections: nothing to report
        }
    }
}
