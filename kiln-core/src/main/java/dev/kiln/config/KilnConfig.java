package dev.kiln.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.api.CredentialSource;
import dev.kiln.api.RegistryCredential;
import dev.kiln.error.CredentialException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.HostPattern;
import dev.kiln.image.PullPolicy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effective configuration: the file's settings with the environment's overrides applied.
 * Every field may be absent ({@code null}); what is absent keeps Kiln's default.
 *
 * @param store      where Kiln keeps its state, and how large it may grow
 * @param registries per registry host or glob ({@code docker.io}, {@code *.example.com}, {@code *}), in file order
 * @param daemon     the Docker-compatible engine used as a cache level
 * @param sources    where the settings came from (the file, environment variables), for {@code kiln config show}
 */
public record KilnConfig(Store store, Map<String, Registry> registries, Daemon daemon, List<String> sources) {
    /** No file, no overrides. */
    public static final KilnConfig EMPTY = new KilnConfig(null, Map.of(), null, List.of());

    /** Copies the collections ({@code null} becomes empty) and checks every registry pattern. */
    public KilnConfig {
        registries = registries == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(registries));
        registries.keySet().forEach(HostPattern::of);
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    /**
     * @param dir          Kiln's state directory (the store is its {@code store/} folder)
     * @param maxSize      the store is cleaned, least recently used images first, when a pull or build leaves it larger
     * @param lowWatermark what cleaning brings it down to (default 80% of {@code maxSize})
     */
    public record Store(Path dir, Long maxSize, Long lowWatermark) {
        /** Refuses a size limit below one byte, and a low watermark without a larger size limit. */
        public Store {
            if (maxSize != null && maxSize < 1) {
                throw new InvalidInputException("maxSize must be positive");
            }
            if (lowWatermark != null && (maxSize == null || lowWatermark > maxSize)) {
                throw new InvalidInputException("lowWatermark needs a maxSize at least as large");
            }
        }
    }

    /**
     * Settings for the registries a pattern matches. For each setting the most specific pattern
     * that gives it wins.
     *
     * @param staleIfError use the cached image, with a warning, when the registry cannot be reached (within maxStale)
     * @param insecure     plain HTTP, or TLS without verification
     * @param caFile       extra CA certificates (PEM) to trust for it
     */
    public record Registry(PullPolicy policy, Duration maxAge, Duration maxStale, Boolean staleIfError, List<Mirror> mirrors,
                           Boolean insecure, Path caFile, Credentials credentials) {
        /** Copies the mirrors; {@code null} becomes empty. */
        public Registry {
            mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
        }
    }

    /**
     * @param url     {@code http://host:port} (plain HTTP), {@code https://host} or {@code host[:port]}
     * @param resolve whether the mirror may turn tags into digests (a pull-through cache may); else content by digest only
     * @param timeout how long it may take to connect or send more bytes before the next level is tried
     */
    public record Mirror(String url, boolean resolve, Duration timeout) {
        /** Needs a URL; a timeout must be positive. */
        public Mirror {
            if (url == null || url.isBlank()) {
                throw new InvalidInputException("a mirror needs a url, e.g. { url: \"http://127.0.0.1:5010\", resolve: true }");
            }
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                throw new InvalidInputException("a mirror's timeout must be positive");
            }
        }
    }

    /**
     * Where a registry's credential comes from: a user name with a password given inline (discouraged),
     * in an environment variable or in a file; or a Docker credential helper ({@code docker-credential-NAME}).
     */
    public record Credentials(String username, @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String password,
                              String passwordEnv, Path passwordFile, String helper) {
        /** Needs either a helper, or a user name with exactly one source of its password. */
        public Credentials {
            int secrets = (password != null ? 1 : 0) + (passwordEnv != null ? 1 : 0) + (passwordFile != null ? 1 : 0);
            if (helper != null ? username != null || secrets > 0 : username == null || secrets != 1) {
                throw new InvalidInputException("credentials need either a helper, or a username with exactly one of "
                        + "password, passwordEnv, passwordFile");
            }
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=" + (password == null ? null : "<redacted>") + ", passwordEnv="
                    + passwordEnv + ", passwordFile=" + passwordFile + ", helper=" + helper + "]";
        }

        CredentialSource source() {
            if (helper != null) {
                return CredentialSource.dockerHelper(helper);
            }
            return host -> Optional.of(RegistryCredential.basic(username, secret(host)));
        }

        private String secret(String host) {
            if (password != null) {
                return password;
            }
            if (passwordEnv != null) {
                String value = System.getenv(passwordEnv);
                if (value == null) {
                    throw new CredentialException("the configured password for " + host + " is in $" + passwordEnv + ", which is not set");
                }
                return value;
            }
            try {
                return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new CredentialException("the configured password file for " + host + " cannot be read: " + passwordFile);
            }
        }
    }

    /**
     * @param enabled whether images in the engine are a cache level
     * @param host    its address ({@code unix:///run/podman/podman.sock}); default {@code DOCKER_HOST}, else the standard socket
     */
    public record Daemon(Boolean enabled, String host) {
    }

    /** The file at {@code path}, with the environment's overrides (see {@link ConfigLoader}). */
    public static KilnConfig load(Path path) {
        return ConfigLoader.load(path, System.getenv());
    }

    /**
     * The configuration a process uses: {@code explicit} (which must exist) when given, else {@code $KILN_CONFIG}
     * (which must exist), else {@code config.yaml} in {@code cacheDir} when there is one; then the environment's overrides.
     */
    public static KilnConfig discover(Path explicit, Path cacheDir) {
        return ConfigLoader.discover(explicit, cacheDir, System.getenv());
    }

    /**
     * Configures {@code builder}: store directory and limit, each registry's freshness defaults,
     * mirrors, insecure flag, CA file and credentials. Settings made on the builder afterwards win.
     */
    public KilnBuilder applyTo(KilnBuilder builder) {
        if (store != null) {
            if (store.dir() != null) {
                builder.cacheDir(store.dir());
            }
            if (store.maxSize() != null) {
                builder.storeLimit(store.maxSize(), store.lowWatermark() != null ? store.lowWatermark() : store.maxSize() / 10 * 8);
            }
        }
        if (daemon != null) {
            if (Boolean.TRUE.equals(daemon.enabled())) {
                builder.daemon(daemon.host());
            } else if (daemon.host() != null) {
                builder.daemonHost(daemon.host());
            }
        }
        registries.forEach((pattern, registry) -> {
            builder.registryDefaults(pattern, registry.policy(), registry.maxAge(), registry.maxStale(), registry.staleIfError());
            registry.mirrors().forEach(m -> builder.mirror(pattern, m.url(), m.resolve(), m.timeout()));
            if (Boolean.TRUE.equals(registry.insecure())) {
                builder.insecureRegistry(pattern);
            }
            if (registry.caFile() != null) {
                builder.caFile(pattern, registry.caFile());
            }
            if (registry.credentials() != null) {
                builder.credentials(pattern, registry.credentials().source());
            }
        });
        return builder;
    }

    /** The configuration as YAML in the file's own format, every secret replaced by {@code <redacted>}. */
    public String toYaml() {
        return ConfigLoader.toYaml(this);
    }

    /** The configuration as a tree of the file's keys (for JSON), every secret replaced by {@code <redacted>}. */
    public Map<String, Object> redacted() {
        Map<String, Object> tree = new LinkedHashMap<>(ConfigLoader.redacted(this));
        tree.put("sources", sources);
        return tree;
    }
}
