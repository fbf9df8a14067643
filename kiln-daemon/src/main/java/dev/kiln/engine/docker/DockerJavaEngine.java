package dev.kiln.engine.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.kiln.api.spi.ContainerEngine;
import dev.kiln.api.spi.ContainerEngineProvider;
import dev.kiln.api.spi.EngineImage;
import dev.kiln.error.DaemonException;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Docker Engine API endpoint (Docker, or Podman's compatible service) through docker-java with its
 * dependency-free transport: Kiln's {@link ContainerEngine}. Every failure is a {@link DaemonException}
 * naming the engine and what it was asked.
 */
public final class DockerJavaEngine implements ContainerEngine {
    private final String host;
    private final DockerClient client;

    private DockerJavaEngine(String host) {
        this.host = host;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        this.client = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .build());
    }

    /** The {@link java.util.ServiceLoader} entry point. */
    public static final class Provider implements ContainerEngineProvider {
        @Override
        public ContainerEngine connect(String host) {
            try {
                return new DockerJavaEngine(host);
            } catch (RuntimeException e) {
                throw new DaemonException("invalid Docker host '" + host + "': " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public Optional<EngineImage> inspect(String name) {
        InspectImageResponse image;
        try {
            image = client.inspectImageCmd(name).exec();
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw unavailable("inspect " + name, e);
        }
        List<String> layers = image.getRootFS() == null || image.getRootFS().getLayers() == null ? List.of()
                : image.getRootFS().getLayers();
        return Optional.of(new EngineImage(image.getId(), image.getOs(), image.getArch(),
                image.getRepoTags() == null ? List.of() : image.getRepoTags(), layers));
    }

    @Override
    public InputStream save(String name) {
        try {
            return client.saveImageCmd(name).exec();
        } catch (RuntimeException e) {
            throw unavailable("save " + name, e);
        }
    }

    @Override
    public void load(InputStream tar) {
        try {
            client.loadImageCmd(tar).exec();
        } catch (RuntimeException e) {
            throw unavailable("load an image", e);
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
