package dev.kiln.api;

import dev.kiln.error.InvalidInputException;
import dev.kiln.internal.credentials.DockerConfigCredentials;
import dev.kiln.internal.credentials.RegistryHosts;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the Docker CLI keeps registry credentials, written as {@code docker login} and {@code docker logout}
 * write them, so that Docker, Kiln and every tool that reads the Docker config see the same logins: the
 * credential helper configured for the registry ({@code credHelpers}, else {@code credsStore}), else
 * {@code auths} in the config file. The file is created (with its directory) when missing, readable by
 * its owner only, rewritten in one atomic rename, and keeps every entry it had for other registries.
 * Credential helpers ({@code docker-credential-NAME}) are looked up on the {@code PATH}.
 */
public final class DockerCredentialStore {
    private final DockerConfigCredentials config;

    private DockerCredentialStore(DockerConfigCredentials config) {
        this.config = config;
    }

    /** The current user's Docker config: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    public static DockerCredentialStore ofCurrentUser() {
        return new DockerCredentialStore(DockerConfigCredentials.fromEnvironment());
    }

    /** The Docker config {@code configFile} (which need not exist yet). */
    public static DockerCredentialStore of(Path configFile) {
        return new DockerCredentialStore(DockerConfigCredentials.fromFile(Objects.requireNonNull(configFile, "configFile")));
    }

    /** The config file this store reads and writes. */
    public Path configFile() {
        return config.configFile();
    }

    /**
     * Keeps {@code credential} for {@code registry} ({@code host[:port]} or a URL, as Docker accepts it),
     * replacing what was kept for it.
     *
     * @return where it went: the helper's program name ({@code docker-credential-NAME}) or the config file
     * @throws dev.kiln.error.CredentialException if the config cannot be read or written, or the helper fails
     */
    public String store(String registry, RegistryCredential credential) {
        return config.store(registryHost(registry), credential.toCredential());
    }

    /**
     * Forgets the credential kept for {@code registry}.
     *
     * @return false if none was kept
     * @throws dev.kiln.error.CredentialException if the config cannot be read or written, or the helper fails
     */
    public boolean erase(String registry) {
        return config.erase(registryHost(registry));
    }

    /**
     * The registry as Kiln names it: scheme and path dropped, lower-cased, Docker Hub's spellings
     * ({@code https://index.docker.io/v1/}, {@code index.docker.io}) as {@code docker.io}.
     *
     * @throws InvalidInputException if {@code registry} names no host
     */
    public static String registryHost(String registry) {
        String host = RegistryHosts.canonical(Objects.requireNonNull(registry, "registry"));
        if (host.isEmpty() || host.contains("@") || host.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidInputException("invalid registry '" + registry + "': expected HOST[:PORT], e.g. ghcr.io or 127.0.0.1:5000");
        }
        return host;
    }

    @Override
    public String toString() {
        return "DockerCredentialStore[" + configFile() + "]";
    }
}
