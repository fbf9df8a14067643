package dev.kiln.api;

import dev.kiln.internal.credentials.Credential;
import dev.kiln.event.KilnListener;
import dev.kiln.image.PullPolicy;
import dev.kiln.internal.registry.RegistryOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Configures a {@link Kiln}; every setting has a sensible default. */
public final class KilnBuilder {
    private final Settings settings = new Settings();

    KilnBuilder() {
    }

    /**
     * Opens only a store that exists: building fails when the cache directory holds none, instead of
     * creating an empty one (for operations that look after a store, where a mistyped directory must
     * not look like an empty cache).
     */
    public KilnBuilder existingStoreOnly() {
        settings.existingStoreOnly = true;
        return this;
    }

    /**
     * Adds a mirror of {@code registry} ({@code docker.io}, {@code registry.example.com:5000}, or a glob
     * such as {@code *.example.com}), tried before it in the order added. {@code mirror}: {@code host[:port]}
     * or a URL; {@code http://} allows plain HTTP to it. {@code resolve}: may turn tags into digests (a
     * pull-through cache of the registry may); otherwise it serves only content by digest. What a mirror
     * serves is verified like anything else; a failing or slow mirror is skipped with a warning.
     */
    public KilnBuilder mirror(String registry, String mirror, boolean resolve) {
        return mirror(registry, mirror, resolve, null);
    }

    /** {@link #mirror(String, String, boolean)} with this mirror's own timeout ({@code null}: {@link #mirrorTimeout}). */
    public KilnBuilder mirror(String registry, String mirror, boolean resolve, Duration timeout) {
        settings.mirror(registry, mirror, resolve, timeout);
        return this;
    }

    /**
     * Makes the Docker (or Podman) engine at {@code host} a cache level between the store and the
     * registries: a base the store lacks is imported from the engine when it holds exactly that name
     * for the platform (policies if-not-present and never). {@code null}: the host set before, else
     * {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock}. Also where {@code docker-daemon:} targets go.
     */
    public KilnBuilder daemon(String host) {
        settings.daemonLevel = true;
        return host == null ? this : daemonHost(host);
    }

    /** Where {@code docker-daemon:} targets go, without making the engine a cache level. */
    public KilnBuilder daemonHost(String host) {
        settings.daemonHost = host;
        return this;
    }

    /**
     * How long a mirror may take to connect or to send the next bytes before Kiln moves on to the
     * next level (default 5 s). Mirrors are not retried: the next level is the retry.
     */
    public KilnBuilder mirrorTimeout(Duration timeout) {
        settings.mirrorTimeout = Settings.requirePositive(timeout, "mirror timeout");
        return this;
    }

    /**
     * Freshness defaults for images of {@code registry} (a host or a glob), used when a request leaves
     * them open ({@code null}); for each setting the most specific pattern that gives it wins.
     */
    public KilnBuilder registryDefaults(String registry, PullPolicy policy, Duration maxAge, Duration maxStale, Boolean staleIfError) {
        settings.rule(registry, rule -> rule.withFreshness(policy, maxAge, maxStale, staleIfError));
        return this;
    }

    /**
     * A source of credentials for {@code registry} (a host or a glob), asked before the Docker config;
     * the most specific matching pattern's source is asked.
     */
    public KilnBuilder credentials(String registry, CredentialSource source) {
        settings.credentialSources.put(Settings.registryPattern(registry), host -> source.find(host)
                .map(RegistryCredential::toCredential));
        return this;
    }

    /**
     * Keeps the store within {@code maxSize} bytes: after a pull or build that leaves it larger, least
     * recently used images are removed until it fits {@code lowWatermark} (below {@code maxSize}, so
     * that cleaning does not run after every build; kubelet's image GC works the same way).
     */
    public KilnBuilder storeLimit(long maxSize, long lowWatermark) {
        settings.storeLimit(maxSize, lowWatermark);
        return this;
    }

    /** Where the store lives; {@code KILN_CACHE_DIR} or {@code ~/.kiln} by default. */
    public KilnBuilder cacheDir(Path dir) {
        settings.cacheDir = dir;
        return this;
    }

    /** Allows plain HTTP, or TLS without verification, for {@code host[:port]}. */
    public KilnBuilder insecureRegistry(String hostAndPort) {
        settings.insecureRegistries.add(hostAndPort);
        return this;
    }

    /** Trusts the CA certificates in {@code pemFile} for {@code registry}, besides the system's. */
    public KilnBuilder caFile(String registry, Path pemFile) {
        settings.caFiles.put(registry, pemFile);
        return this;
    }

    /** Credentials for a registry; they take precedence over the Docker config. */
    public KilnBuilder credential(String registry, String username, String secret) {
        settings.credentials.put(registry, Credential.basic(username, secret));
        return this;
    }

    /** The Docker client config to read credentials from; {@code DOCKER_CONFIG} or {@code ~/.docker} by default. */
    public KilnBuilder dockerConfig(Path configJson) {
        settings.dockerConfig = configJson;
        return this;
    }

    /** Receives the build log as events (steps, cache decisions, transfers, retries). */
    public KilnBuilder listener(KilnListener eventListener) {
        settings.listener = eventListener;
        return this;
    }

    /** How many blobs transfer at once (default 8). */
    public KilnBuilder parallelism(int transfers) {
        settings.parallelism = (int) Settings.requireAtLeast(transfers, 1, "parallelism must be at least 1");
        return this;
    }

    /** Retry budget for transient registry failures (default: 4 attempts from 250 ms, doubling). */
    public KilnBuilder retries(int maxAttempts, Duration initialBackoff) {
        settings.retry = new RegistryOptions.RetryPolicy(maxAttempts, initialBackoff,
                RegistryOptions.RetryPolicy.DEFAULT.max(), RegistryOptions.RetryPolicy.DEFAULT.maxRetryAfter());
        return this;
    }

    /**
     * How long a registry may take to accept a connection (default 10 s), and to send response
     * headers or the next bytes of a body (default 60 s); a request that times out is retried,
     * a download resumed.
     */
    public KilnBuilder timeouts(Duration connect, Duration read) {
        settings.connectTimeout = Settings.requirePositive(connect, "connect timeout");
        settings.readTimeout = Settings.requirePositive(read, "read timeout");
        return this;
    }

    /**
     * Blobs larger than this are uploaded in chunks of this size (PATCH requests), for a registry behind a
     * proxy that limits request bodies; by default every blob goes in one request.
     */
    public KilnBuilder uploadChunkSize(long bytes) {
        settings.uploadChunkSize = Settings.requireAtLeast(bytes, 1, "upload chunk size must be positive");
        return this;
    }

    /** The clock for freshness decisions (tests move it forward). */
    public KilnBuilder clock(Clock newClock) {
        settings.clock = newClock;
        return this;
    }

    /** The {@link Kiln}: opens (or creates) the store. */
    public Kiln build() {
        return new Kiln(settings);
    }
}
