package dev.kiln.internal.daemon;

import dev.kiln.internal.archive.BlobReader;
import dev.kiln.internal.archive.DockerArchiveWriter;
import dev.kiln.api.spi.ContainerEngine;
import dev.kiln.api.spi.ContainerEngineProvider;
import dev.kiln.api.spi.EngineImage;
import dev.kiln.error.DaemonException;
import dev.kiln.image.Digest;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One Docker Engine API endpoint ({@code unix:///var/run/docker.sock}, Podman's
 * {@code unix:///run/podman/podman.sock}, {@code tcp://host:2375}), reached through the
 * {@link ContainerEngine} a {@link ContainerEngineProvider} on the class path supplies (the
 * {@code kiln-daemon} module). Names are always sent in full ({@code docker.io/library/flink:1.18}) and
 * what the engine answers is checked against them: an engine that resolves short names, as Podman does,
 * is never taken at its word.
 */
public final class DockerDaemon implements AutoCloseable {
    private static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    private final String host;
    private final ContainerEngine engine;

    private DockerDaemon(String host, ContainerEngine engine) {
        this.host = host;
        this.engine = engine;
    }

    /** The engine at {@code host}; {@code null}: {@code DOCKER_HOST}, else Docker's standard socket. */
    public static DockerDaemon connect(String host) {
        String chosen = host != null && !host.isBlank() ? host : Optional.ofNullable(System.getenv("DOCKER_HOST"))
                .filter(h -> !h.isBlank()).orElse(DEFAULT_HOST);
        ContainerEngineProvider provider = ServiceLoader.load(ContainerEngineProvider.class, DockerDaemon.class.getClassLoader())
                .findFirst().orElseThrow(() -> new DaemonException("cannot use the Docker engine at " + chosen
                        + ": no engine support on the class path (the kiln-daemon module, dev.kiln:kiln-daemon)"));
        return new DockerDaemon(chosen, provider.connect(chosen));
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
        Optional<EngineImage> found = engine.inspect(name);
        if (found.isEmpty() || found.get().repoTags().stream().noneMatch(tag -> sameTag(tag, ref))) {
            return Optional.empty();   // absent, or the engine matched a short name or another registry's image
        }
        EngineImage image = found.get();
        try {
            return Optional.of(new DaemonImage(name, Digest.parse(image.id()), image.os(), image.arch(),
                    image.diffIds().stream().map(Digest::parse).toList()));
        } catch (RuntimeException e) {
            throw new DaemonException("the Docker daemon at " + host + " describes " + name + " with an invalid digest: " + e.getMessage(), e);
        }
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
        return engine.save(name);
    }

    /** {@code docker load} of the archive {@code tar}, read to its end. */
    public void load(InputStream tar) {
        engine.load(tar);
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

    @Override
    public void close() {
        engine.close();
    }
}
