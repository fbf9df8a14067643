package dev.kiln.internal.credentials;

import dev.kiln.error.CredentialException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Credentials from the Docker client config, found and interpreted the way the Docker CLI (and so
 * crane and most CI setups) does, so that a {@code docker login} is all a Kiln user needs.
 *
 * <p>The file is {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. For a
 * registry, in order:
 *
 * <ol>
 *   <li>{@code credHelpers[host]}: that helper's answer is final, as in Docker (an empty helper
 *       name skips straight to {@code auths}, bypassing {@code credsStore});
 *   <li>{@code credsStore}: the default helper; when it has nothing, fall through;
 *   <li>{@code auths[host]}: {@code identitytoken}, else base64 {@code auth} of {@code
 *       user:password}, else the {@code username}/{@code password} fields.
 * </ol>
 *
 * <p>The fall-through after {@code credsStore} is a small liberty over Docker (which would answer
 * "nothing"): it lets a CI job write an inline {@code auths} entry on a machine whose global config
 * names a keychain store. Config keys are canonicalised: {@code https://index.docker.io/v1/},
 * {@code index.docker.io} and {@code registry-1.docker.io} all mean {@code docker.io}; schemes and
 * paths are dropped.
 *
 * <p>Helpers ({@code docker-credential-<name>}) are looked up on the PATH and run with a timeout
 * each time a credential is asked for (their tokens may expire; caching is the caller's business).
 * They inherit this JVM's environment. The config file is read lazily, on the first {@link #find},
 * and only once; a missing file means no credentials, a malformed one is a {@link
 * CredentialException} naming the file. Instances are immutable and thread-safe.
 */
public final class DockerConfigCredentials implements CredentialProvider {
    /** How long a credential helper may take before Kiln gives up on it. */
    public static final Duration DEFAULT_HELPER_TIMEOUT = Duration.ofSeconds(30);

    private final Path configFile;
    private final List<Path> helperPath;
    private final Duration helperTimeout;
    private final Object lock = new Object();
    private DockerConfig config; // guarded by lock; read once
    private CredentialException configFailure; // guarded by lock; a failed read is not retried

    /** A config file, with helpers looked up only in {@code helperPath} and each given {@code helperTimeout}. */
    DockerConfigCredentials(Path configFile, List<Path> helperPath, Duration helperTimeout) {
        this.configFile = Objects.requireNonNull(configFile, "configFile");
        this.helperPath = List.copyOf(helperPath);
        this.helperTimeout = Objects.requireNonNull(helperTimeout, "helperTimeout");
        if (helperTimeout.isNegative() || helperTimeout.isZero()) {
            throw new IllegalArgumentException("helper timeout must be positive: " + helperTimeout);
        }
    }

    /** The config of the current user, with helpers on this process's PATH. */
    public static DockerConfigCredentials fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * The config named by an explicit environment ({@code DOCKER_CONFIG}, {@code PATH}) and home
     * directory, so callers and tests need not touch the real process environment.
     */
    public static DockerConfigCredentials fromEnvironment(Map<String, String> env, Path home) {
        return new DockerConfigCredentials(
                defaultConfigFile(env, home), CredentialHelper.searchPath(env.get("PATH")), DEFAULT_HELPER_TIMEOUT);
    }

    /** An explicit config file, with helpers on this process's PATH. */
    public static DockerConfigCredentials fromFile(Path configFile) {
        return fromFile(configFile, CredentialHelper.searchPath(System.getenv("PATH")));
    }

    /** An explicit config file, with helpers looked up only in {@code helperPath}, in order. */
    public static DockerConfigCredentials fromFile(Path configFile, List<Path> helperPath) {
        return new DockerConfigCredentials(configFile, helperPath, DEFAULT_HELPER_TIMEOUT);
    }

    /** Where Docker looks: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    public static Path defaultConfigFile(Map<String, String> env, Path home) {
        String dockerConfig = env.get("DOCKER_CONFIG");
        if (dockerConfig != null && !dockerConfig.isBlank()) {
            return Path.of(dockerConfig).resolve("config.json");
        }
        Objects.requireNonNull(home, "home");
        return home.resolve(".docker").resolve("config.json");
    }

    /** The config file this provider reads (which need not exist). */
    public Path configFile() {
        return configFile;
    }

    @Override
    public Optional<Credential> find(String registryHost) {
        String host = RegistryHosts.requireHost(registryHost);
        DockerConfig config = config();
        Optional<CredentialHelper> helper = storeHelper(config, host);
        Optional<Credential> stored = helper.flatMap(h -> h.get(host));
        // a credHelpers answer is final; after credsStore, fall through to auths
        if (stored.isPresent() || (helper.isPresent() && config.credHelpers().containsKey(host))) {
            return stored;
        }
        return Optional.ofNullable(config.auths().get(host));
    }

    /**
     * Keeps {@code credential} for a registry where the Docker CLI's {@code docker login} would: with the
     * helper of {@code credHelpers[host]}, else of {@code credsStore}, else in {@code auths} of the file
     * (created when missing; other entries kept).
     *
     * @return where it went: {@code docker-credential-NAME}, or the config file
     */
    public String store(String registryHost, Credential credential) {
        String host = RegistryHosts.requireHost(registryHost);
        Optional<CredentialHelper> helper = storeHelper(DockerConfig.read(configFile), host);
        if (helper.isPresent()) {
            helper.get().store(host, credential);
            return helper.get().program();
        }
        DockerConfigFile.store(configFile, host, credential);
        return configFile.toString();
    }

    /**
     * Forgets the credential of a registry, as {@code docker logout} does: in its helper, if one is
     * configured for it, and in {@code auths} of the file (every spelling of the registry).
     *
     * @return whether there was one to forget
     */
    public boolean erase(String registryHost) {
        String host = RegistryHosts.requireHost(registryHost);
        Optional<CredentialHelper> helper = storeHelper(DockerConfig.read(configFile), host);
        boolean erased = helper.isPresent() && helper.get().erase(host);
        return DockerConfigFile.erase(configFile, host) || erased;
    }

    /** The helper that keeps {@code host}'s credential, as {@link #find} asks them; empty: the file's {@code auths}. */
    private Optional<CredentialHelper> storeHelper(DockerConfig config, String host) {
        String helper = config.credHelpers().get(host);
        if (helper != null) {
            return helper.isEmpty() ? Optional.empty() : Optional.of(helper(helper, "credHelpers"));
        }
        return config.credsStore().map(store -> helper(store, "credsStore"));
    }

    private DockerConfig config() {
        synchronized (lock) {
            if (config == null && configFailure == null) {
                try {
                    config = DockerConfig.read(configFile);
                } catch (CredentialException e) {
                    configFailure = e;
                }
            }
            if (configFailure != null) {
                throw configFailure;
            }
            return config;
        }
    }

    private CredentialHelper helper(String name, String configuredBy) {
        return CredentialHelper.locate(name, helperPath, helperTimeout, configuredBy + " in " + configFile);
    }

    @Override
    public String toString() {
        return "DockerConfigCredentials[" + configFile + "]";
    }
}
