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
 * @param server     {@code kiln serve}'s settings (the {@code kiln-server} module reads them)
 * @param sources    where the settings came from (the file, environment variables), for {@code kiln config show}
 */
public record KilnConfig(Store store, Map<String, Registry> registries, Daemon daemon, Server server, List<String> sources) {
    /** No file, no overrides. */
    public static final KilnConfig EMPTY = new KilnConfig(null, Map.of(), null, null, List.of());

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

    /**
     * {@code kiln serve}: where it listens, who may call it, how many builds run and wait, what it keeps and
     * where, and what it does on its own. Every field may be absent; the server applies its defaults.
     *
     * @param port       the HTTP port (default 8080)
     * @param bind       the address to listen on (default {@code 127.0.0.1})
     * @param tokens     the bearer tokens it accepts, as SHA-256 hashes with a role
     * @param builds     the build pool and queue
     * @param uploads    the upload limit
     * @param history    how long builds are kept
     * @param database   where the history lives (default: an embedded database in the cache directory)
     * @param schedule   how often cached tags are refreshed, built images checked against their bases, and the store pruned
     * @param autoRebase rebase every image whose base moved, as a build of kind {@code rebase}
     * @param notifications where finished builds and base moves are announced (the file's {@code notify} key)
     */
    public record Server(Integer port, String bind, List<Token> tokens, Builds builds, Uploads uploads, History history,
                         Database database, Schedule schedule, Boolean autoRebase,
                         @JsonProperty("notify") Notify notifications) {
        /** Copies the tokens ({@code null} becomes empty); checks the port. */
        public Server {
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
            if (port != null && (port < 0 || port > 65535)) {
                throw new InvalidInputException("port must be between 0 and 65535, not " + port);
            }
        }
    }

    /**
     * A bearer token the server accepts.
     *
     * @param name   who uses it, shown in the history as the submitter
     * @param sha256 the lowercase hex SHA-256 of the token's UTF-8 bytes: never the token itself
     * @param role   {@code read}, {@code build} or {@code admin}, each including the ones before it
     */
    public record Token(String name, String sha256, String role) {
        /** Needs a name, a 64-digit lowercase hex hash and a known role. */
        public Token {
            if (name == null || name.isBlank()) {
                throw new InvalidInputException("a token needs a name");
            }
            if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
                throw new InvalidInputException("token " + name + ": sha256 must be 64 lowercase hex digits "
                        + "(the SHA-256 of the token, e.g. printf %s TOKEN | sha256sum)");
            }
            if (!List.of("read", "build", "admin").contains(role)) {
                throw new InvalidInputException("token " + name + ": role must be read, build or admin, not " + role);
            }
        }

        @Override
        public String toString() {
            return "Token[name=" + name + ", role=" + role + "]";
        }
    }

    /**
     * @param concurrency builds that run at once (default: the number of cores)
     * @param queue       builds that may wait (default 100); beyond, submissions are refused with 429
     */
    public record Builds(Integer concurrency, Integer queue) {
        /** At least one build runs; the queue may be empty. */
        public Builds {
            if (concurrency != null && concurrency < 1) {
                throw new InvalidInputException("builds.concurrency must be at least 1");
            }
            if (queue != null && queue < 0) {
                throw new InvalidInputException("builds.queue must not be negative");
            }
        }
    }

    /** @param maxBytes the largest upload (one file, and one request) accepted (default 2GiB) */
    public record Uploads(Long maxBytes) {
    }

    /**
     * @param keepDays   builds older than this are removed with their events (default 30)
     * @param keepBuilds at most this many builds are kept (default 1000)
     */
    public record History(Integer keepDays, Integer keepBuilds) {
    }

    /**
     * @param url          a JDBC URL ({@code jdbc:postgresql://host:5432/kiln}); absent: the embedded database
     * @param user         the database user
     * @param passwordEnv  the environment variable holding the password
     * @param passwordFile the file holding the password
     */
    public record Database(String url, String user, String passwordEnv, Path passwordFile) {
        /** At most one source of the password. */
        public Database {
            if (passwordEnv != null && passwordFile != null) {
                throw new InvalidInputException("database: give passwordEnv or passwordFile, not both");
            }
        }

        /** The password from its environment variable or file; {@code null} when neither is set. */
        public String password() {
            if (passwordEnv != null) {
                String value = System.getenv(passwordEnv);
                if (value == null) {
                    throw new CredentialException("the database password is in $" + passwordEnv + ", which is not set");
                }
                return value;
            }
            if (passwordFile == null) {
                return null;
            }
            try {
                return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new CredentialException("the database password file cannot be read: " + passwordFile);
            }
        }
    }

    /**
     * Periods of the server's scheduled runs; absent: that run is off.
     *
     * @param refresh  one HEAD per cached tag, pulling what moved
     * @param outdated every image Kiln built compared with its base tag
     * @param prune    the store's limits applied
     */
    public record Schedule(Duration refresh, Duration outdated, Duration prune) {
        /** Periods must be positive. */
        public Schedule {
            for (Duration period : new Duration[]{refresh, outdated, prune}) {
                if (period != null && (period.isZero() || period.isNegative())) {
                    throw new InvalidInputException("schedule periods must be positive");
                }
            }
        }
    }

    /** @param webhook a URL that receives one JSON POST per finished build and per base move */
    public record Notify(String webhook) {
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
        Map<String, Object> tree = new LinkedHashMap<>(ShownConfig.redacted(this));
        tree.put("sources", sources);
        return tree;
    }
}
