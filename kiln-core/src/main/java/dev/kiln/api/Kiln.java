package dev.kiln.api;

import dev.kiln.build.BuildRunner;
import dev.kiln.build.Built;
import dev.kiln.build.StoreLimit;
import dev.kiln.build.Target;
import dev.kiln.credentials.Credential;
import dev.kiln.credentials.CredentialProvider;
import dev.kiln.credentials.DockerConfigCredentials;
import dev.kiln.credentials.StaticCredentials;
import dev.kiln.daemon.DaemonLevel;
import dev.kiln.daemon.DockerDaemon;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
import dev.kiln.flink.FlinkDeployment;
import dev.kiln.flink.FlinkJob;
import dev.kiln.flink.FlinkRecipe;
import dev.kiln.flink.FlinkVersion;
import dev.kiln.flink.JobJar;
import dev.kiln.image.Digest;
import dev.kiln.image.HostPattern;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Reference;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.RegistryTransport;
import dev.kiln.resolve.Mirror;
import dev.kiln.resolve.PullSpec;
import dev.kiln.resolve.RegistryRules;
import dev.kiln.resolve.ResolvedImage;
import dev.kiln.resolve.Resolver;
import dev.kiln.store.LocalStore;
import dev.kiln.store.StoreCollector;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Kiln's public entry point, for platforms that embed it and for the CLI:
 * <pre>{@code
 * try (Kiln kiln = Kiln.builder().cacheDir(Path.of("/var/lib/kiln")).build()) {
 *     PullResult base = kiln.pull(PullRequest.of("flink:1.18").withPlatform("linux/amd64"));
 * }
 * }</pre>
 * Thread-safe: one instance serves concurrent operations and shares connections, tokens and the store.
 * Failures are {@link dev.kiln.error.KilnException}s with one-line messages. Every build, whatever
 * its recipe, runs through one {@link BuildRunner}.
 */
public final class Kiln implements AutoCloseable {
    private final LocalStore store;
    private final Resolver resolver;
    private final BuildRunner runner;
    private final BuildPlans plans;
    private final StoreOperations storeOperations;
    private final StoreLimit storeLimit;
    private final KilnListener listener;
    private final ExecutorService transfers;
    private final String daemonHost;
    private DockerDaemon daemon;
    private static final Duration BACKGROUND_GRACE = Duration.ofSeconds(30);
    private static final Duration DEFAULT_MIRROR_TIMEOUT = Duration.ofSeconds(5);

    private Kiln(Builder builder) {
        Digest.warmUpSha256();
        this.listener = builder.listener;
        this.store = LocalStore.open(builder.cacheDir.resolve("store"), listener);
        CredentialProvider credentials = CredentialProvider.firstOf(StaticCredentials.of(builder.credentials),
                CredentialProvider.byPattern(builder.credentialSources),
                builder.dockerConfig != null ? DockerConfigCredentials.fromFile(builder.dockerConfig)
                        : DockerConfigCredentials.fromEnvironment());
        RegistryOptions options = RegistryOptions.defaults()
                .withInsecureRegistries(builder.insecureRegistries)
                .withCaFiles(builder.caFiles)
                .withFailFast(builder.mirrorTimeouts());
        if (builder.retry != null) {
            options = options.withRetry(builder.retry);
        }
        if (builder.uploadChunkSize > 0) {
            options = options.withUploadChunkSize(builder.uploadChunkSize);
        }
        if (builder.readTimeout != null) {
            options = options.withTimeouts(builder.connectTimeout, builder.readTimeout);
        }
        AtomicInteger threads = new AtomicInteger();
        this.transfers = Executors.newFixedThreadPool(builder.parallelism, runnable -> {
            Thread thread = new Thread(runnable, "kiln-transfer-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        RegistryTransport transport = new RegistryTransport(options, credentials);
        this.daemonHost = builder.daemonHost;
        RegistryRules rules = new RegistryRules(builder.rules);
        this.resolver = new Resolver(store, transport, transfers, builder.clock, listener, rules,
                builder.daemonLevel ? new DaemonLevel(this::daemon, store) : null);
        this.storeLimit = new StoreLimit(store, builder.storeLimit, builder.clock);
        this.runner = new BuildRunner(store, resolver, transport, transfers, this::daemon, storeLimit, builder.clock);
        this.plans = new BuildPlans(rules);
        this.storeOperations = new StoreOperations(store, resolver, listener, builder.clock, storeLimit);
    }

    /**
     * Starts, on a background thread, the one-time work of a JVM's first operation: initialising
     * the JSON mappers (~0.2 s on a cold JVM) and compiling SHA-256. A short-lived process such as
     * the CLI calls this first thing, so that the work overlaps its own start-up.
     */
    public static void warmUpInBackground() {
        Thread warmUp = new Thread(() -> {
            Digest.warmUpSha256();
            ImageJson.warmUp();
            LocalStore.warmUp();
        }, "kiln-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /** A builder of a {@link Kiln}, with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The cache directory Kiln uses when none is given: {@code KILN_CACHE_DIR}, else {@code ~/.kiln}. */
    public static Path defaultCacheDir() {
        String fromEnv = System.getenv("KILN_CACHE_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(System.getProperty("user.home"), ".kiln");
    }

    /** The local store's directory. */
    public Path storeDir() {
        return store.root();
    }

    /**
     * Makes the image available in the local store (manifest, config and every layer, verified),
     * asking its registry only as the policy requires.
     */
    public PullResult pull(PullRequest request) {
        PullSpec spec = plans.pull(request);
        Telemetry telemetry = new Telemetry(listener);
        Resolver.Pulled pulled = telemetry.step("pull", spec.reference().toString(),
                () -> resolver.pull(spec, telemetry),
                p -> p.image().source() + ", " + p.layersFetched() + " layers fetched, " + p.layersCached() + " cached");
        storeLimit.apply(telemetry);
        return Results.pull(pulled, telemetry);
    }

    /** The image's manifest and config, fetching only those (never layers) when not cached. */
    public ImageInfo inspect(PullRequest request) {
        PullSpec spec = plans.pull(request);
        Telemetry telemetry = new Telemetry(listener);
        ResolvedImage image = telemetry.step("inspect", spec.reference().toString(),
                () -> resolver.resolve(spec, telemetry), ResolvedImage::source);
        return Results.inspect(image, telemetry);
    }

    /**
     * Builds an image: the base resolved store-first under the request's policy, each added path as
     * one reproducible layer (reused when its inputs are unchanged), config and manifest derived from
     * the base's, published to the target with only the blobs it lacks. A Dockerfile request is read
     * for every platform before any request; its stage is evaluated with each base's environment.
     */
    public BuildResult build(BuildRequest request) {
        Telemetry telemetry = new Telemetry(listener);
        Target target = Target.parse(request.target(), request.tarName());
        return Results.build(runner.build(target, request.platform(), plans.layers(request, target), telemetry), telemetry);
    }

    /**
     * Moves an image Kiln built onto a new base without rebuilding it: the old base comes from the
     * image's {@code org.opencontainers.image.base.*} annotations (else the ledger), the new one is
     * {@code newBase}, or the old base's tag as it resolves now (one HEAD). The application layers
     * are neither rebuilt nor uploaded again. {@code target}: a tag in the image's repository
     * ({@code null}: the image's own tag). Refused when the image is not exactly on its old base.
     */
    public BuildResult rebase(String image, String newBase, String target, String platform) {
        Telemetry telemetry = new Telemetry(listener);
        Reference imageRef = Reference.parse(image);
        Built built = runner.rebase(imageRef, newBase == null ? null : Reference.parse(newBase),
                Target.parse(target != null ? target : imageRef.toString(), null),
                platform == null ? Platform.host() : Platform.parse(platform), telemetry);
        return Results.build(built, telemetry);
    }

    /**
     * Builds a Flink job image: resolves the Flink base (store-first, as any base), reads its
     * {@code FLINK_HOME}, adds configuration, libraries and the job jar as layers from the least to
     * the most often changing, records the job's jar and entry class in labels, publishes, and
     * describes the deployment of the image by digest. Every input is checked before any request.
     */
    public FlinkBuildResult buildFlink(FlinkBuildRequest request) {
        Telemetry telemetry = new Telemetry(listener);
        FlinkJob job = new FlinkJob(JobJar.inspect(request.jobJar()), request.libs(), request.confFiles(), request.hadoopConf(),
                request.hiveConf(), Optional.ofNullable(request.mainClass()), request.uid(), request.gid());
        FlinkVersion givenVersion = request.flinkVersion() == null ? null : FlinkVersion.parse(request.flinkVersion());
        Reference baseRef = request.base() != null ? Reference.parse(request.base())
                : givenVersion.officialImage(request.java(), request.scala());
        Target target = Target.parse(request.target(), null);
        String deploymentName = request.deploymentName() != null ? request.deploymentName()
                : FlinkDeployment.nameFor(target instanceof Target.Registry r ? r.reference().repository() : "flink-job");
        FlinkDeployment.Settings settings = new FlinkDeployment.Settings(deploymentName, request.jobArgs(), request.parallelism(),
                request.taskSlots(), request.serviceAccount(),
                new FlinkDeployment.Resources(request.jobManagerMemory(), request.jobManagerCpu()),
                new FlinkDeployment.Resources(request.taskManagerMemory(), request.taskManagerCpu()), request.upgradeMode());
        FlinkRecipe recipe = new FlinkRecipe(job, baseRef.toString());
        Built built = runner.build(target, request.platform(), platform -> new BuildRunner.Part(plans.spec(baseRef, platform,
                request.policy(), request.maxAge(), request.maxStale(), request.staleIfError(), request.compression(), request.time(),
                target), recipe), telemetry);
        BuildResult result = Results.build(built, telemetry);
        FlinkJob.Plan plan = recipe.plan();
        FlinkVersion version = givenVersion != null ? givenVersion
                : FlinkVersion.of(baseRef, built.images().get(0).base().config()).orElse(null);
        // by digest alone: what Kubernetes pulls is exactly what was built, and every tool reads the name
        String image = target instanceof Target.Registry registry ? registry.reference().name() + "@" + result.digest() : null;
        FlinkDeployment deployment = image == null || version == null ? null
                : new FlinkDeployment(settings, image, version, plan.jarUri(), job.mainClass());
        return new FlinkBuildResult(result, plan.flinkHome(), plan.jarUri(), job.mainClass().orElse(null),
                version == null ? null : version.toString(), image, deployment == null ? null : deployment.toYaml(),
                deployment == null ? List.of() : deployment.nativeArgs(), deployment == null ? null : deployment.nativeCommand());
    }

    /**
     * The images Kiln built (the latest build of each image and platform, from the ledger) whose base
     * tag has moved since: one manifest HEAD per base tag; a moved base's manifest and config are
     * fetched (not its layers) to know its new digest for the platform. Bases pinned by digest never move.
     */
    public List<OutdatedImage> outdated() {
        return storeOperations.outdated();
    }

    /** Every image in the local store, per platform. */
    public List<CachedImage> cachedImages() {
        return storeOperations.cachedImages();
    }

    /**
     * Asks the registry whether cached tags moved — one manifest HEAD per tag — and pulls those that
     * did (only what changed), for every cached platform. {@code images} empty: every cached tag;
     * references pinned by digest are immutable and skipped. An image not in the store is an error.
     */
    public List<RefreshedImage> refresh(List<String> images) {
        return storeOperations.refresh(images);
    }

    /** Removes an image (all its platforms) from the store, with the blobs no other image uses. */
    public PruneResult removeCached(String image) {
        return storeOperations.remove(image);
    }

    /**
     * Cleans the store: drops images unused for longer than {@code maxAge}, then least recently used
     * ones until it fits {@code maxSizeBytes}, then every unreferenced blob. Either limit may be null.
     */
    public PruneResult prune(Long maxSizeBytes, Duration maxAge, boolean dryRun) {
        return prune(new PruneRequest(maxSizeBytes, null, maxAge, null, dryRun));
    }

    /** Cleans the store by size (watermarks), age and keep-last-N per repository; waits for running pulls and builds. */
    public PruneResult prune(PruneRequest request) {
        return storeOperations.prune(request);
    }

    /**
     * Checks the store as after a crash: re-hashes every blob (removing any that does not match) and
     * follows every record's references. Runs under a store lease: cleaning waits for it.
     */
    public StoreVerification verifyStore() {
        return storeOperations.verify();
    }

    /** The Docker engine (a cache level, a target), connected on first use. */
    private synchronized DockerDaemon daemon() {
        if (daemon == null) {
            daemon = DockerDaemon.connect(daemonHost);
        }
        return daemon;
    }

    /** Lets background checks (stale-while-revalidate) finish, for up to 30 s, then stops. */
    @Override
    public void close() {
        resolver.awaitBackground(BACKGROUND_GRACE);
        transfers.shutdownNow();
        synchronized (this) {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    /** Configures a {@link Kiln}; every setting has a sensible default. */
    public static final class Builder {
        private Path cacheDir = defaultCacheDir();
        private final Set<String> insecureRegistries = new HashSet<>();
        private final Map<String, Path> caFiles = new HashMap<>();
        private final Map<String, Credential> credentials = new HashMap<>();
        private Path dockerConfig;
        private KilnListener listener = KilnListener.NONE;
        private int parallelism = 8;
        private RegistryOptions.RetryPolicy retry;
        private Clock clock = Clock.systemUTC();
        private long uploadChunkSize;
        private StoreCollector.PruneOptions storeLimit;
        private final Map<HostPattern, RegistryRules.Rule> rules = new LinkedHashMap<>();
        private final Map<HostPattern, CredentialProvider> credentialSources = new LinkedHashMap<>();
        private final Map<String, Duration> mirrorTimeouts = new HashMap<>();
        private Duration mirrorTimeout = DEFAULT_MIRROR_TIMEOUT;
        private boolean daemonLevel;
        private String daemonHost;
        private Duration connectTimeout;
        private Duration readTimeout;

        private Builder() {
        }

        /**
         * Adds a mirror of {@code registry} ({@code docker.io}, {@code registry.example.com:5000}, or a glob
         * such as {@code *.example.com}), tried before it in the order added. {@code mirror}: {@code host[:port]}
         * or a URL; {@code http://} allows plain HTTP to it. {@code resolve}: may turn tags into digests (a
         * pull-through cache of the registry may); otherwise it serves only content by digest. What a mirror
         * serves is verified like anything else; a failing or slow mirror is skipped with a warning.
         */
        public Builder mirror(String registry, String mirror, boolean resolve) {
            return mirror(registry, mirror, resolve, null);
        }

        /** {@link #mirror(String, String, boolean)} with this mirror's own timeout ({@code null}: {@link #mirrorTimeout}). */
        public Builder mirror(String registry, String mirror, boolean resolve, Duration timeout) {
            String host = mirror.strip();
            if (host.startsWith("http://")) {
                host = host.substring("http://".length());
                insecureRegistries.add(stripPath(host));
            } else if (host.startsWith("https://")) {
                host = host.substring("https://".length());
            }
            Mirror level = new Mirror(stripPath(host), resolve);
            rule(registry, rule -> rule.withMirror(level));
            if (timeout != null) {
                mirrorTimeouts.put(level.host(), requirePositive(timeout, "mirror timeout"));
            }
            return this;
        }

        /**
         * Makes the Docker (or Podman) engine at {@code host} a cache level between the store and the
         * registries: a base the store lacks is imported from the engine when it holds exactly that name
         * for the platform (policies if-not-present and never). {@code null}: the host set before, else
         * {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock}. Also where {@code docker-daemon:} targets go.
         */
        public Builder daemon(String host) {
            this.daemonLevel = true;
            return host == null ? this : daemonHost(host);
        }

        /** Where {@code docker-daemon:} targets go, without making the engine a cache level. */
        public Builder daemonHost(String host) {
            this.daemonHost = host;
            return this;
        }

        /**
         * How long a mirror may take to connect or to send the next bytes before Kiln moves on to the
         * next level (default 5 s). Mirrors are not retried: the next level is the retry.
         */
        public Builder mirrorTimeout(Duration timeout) {
            this.mirrorTimeout = requirePositive(timeout, "mirror timeout");
            return this;
        }

        /**
         * Freshness defaults for images of {@code registry} (a host or a glob), used when a request leaves
         * them open ({@code null}); for each setting the most specific pattern that gives it wins.
         */
        public Builder registryDefaults(String registry, PullPolicy policy, Duration maxAge, Duration maxStale, Boolean staleIfError) {
            rule(registry, rule -> rule.withFreshness(policy, maxAge, maxStale, staleIfError));
            return this;
        }

        /**
         * A source of credentials for {@code registry} (a host or a glob), asked before the Docker config;
         * the most specific matching pattern's source is asked.
         */
        public Builder credentials(String registry, CredentialProvider source) {
            credentialSources.put(registryPattern(registry), source);
            return this;
        }

        private void rule(String registry, UnaryOperator<RegistryRules.Rule> change) {
            rules.compute(registryPattern(registry), (pattern, had) -> change.apply(had == null ? RegistryRules.Rule.EMPTY : had));
        }

        /** Every mirror's timeout: its own, else the default. */
        private Map<String, Duration> mirrorTimeouts() {
            Map<String, Duration> timeouts = new HashMap<>();
            rules.values().forEach(rule -> rule.mirrors().forEach(
                    mirror -> timeouts.put(mirror.host(), mirrorTimeouts.getOrDefault(mirror.host(), mirrorTimeout))));
            return timeouts;
        }

        private static HostPattern registryPattern(String registry) {
            HostPattern pattern = HostPattern.of(registry);
            return pattern.isGlob() ? pattern : HostPattern.of(Reference.parse(pattern.pattern() + "/x").registry());
        }

        private static String stripPath(String host) {
            int slash = host.indexOf('/');
            return slash < 0 ? host : host.substring(0, slash);
        }

        private static Duration requirePositive(Duration duration, String what) {
            if (duration.isNegative() || duration.isZero()) {
                throw new InvalidInputException(what + " must be positive");
            }
            return duration;
        }

        /**
         * Keeps the store within {@code maxSize} bytes: after a pull or build that leaves it larger, least
         * recently used images are removed until it fits {@code lowWatermark} (below {@code maxSize}, so
         * that cleaning does not run after every build; kubelet's image GC works the same way).
         */
        public Builder storeLimit(long maxSize, long lowWatermark) {
            if (maxSize < 1 || lowWatermark < 0 || lowWatermark > maxSize) {
                throw new InvalidInputException("store limit: need 0 <= low watermark <= maximum size, and a positive maximum");
            }
            this.storeLimit = new StoreCollector.PruneOptions(maxSize, lowWatermark, null, null, false);
            return this;
        }

        /** Where the store lives; {@code KILN_CACHE_DIR} or {@code ~/.kiln} by default. */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** Allows plain HTTP, or TLS without verification, for {@code host[:port]}. */
        public Builder insecureRegistry(String hostAndPort) {
            insecureRegistries.add(hostAndPort);
            return this;
        }

        /** Trusts the CA certificates in {@code pemFile} for {@code registry}, besides the system's. */
        public Builder caFile(String registry, Path pemFile) {
            caFiles.put(registry, pemFile);
            return this;
        }

        /** Credentials for a registry; they take precedence over the Docker config. */
        public Builder credential(String registry, String username, String secret) {
            credentials.put(registry, Credential.basic(username, secret));
            return this;
        }

        /** The Docker client config to read credentials from; {@code DOCKER_CONFIG} or {@code ~/.docker} by default. */
        public Builder dockerConfig(Path configJson) {
            this.dockerConfig = configJson;
            return this;
        }

        /** Receives the build log as events (steps, cache decisions, transfers, retries). */
        public Builder listener(KilnListener eventListener) {
            this.listener = eventListener;
            return this;
        }

        /** How many blobs transfer at once (default 8). */
        public Builder parallelism(int transfers) {
            if (transfers < 1) {
                throw new InvalidInputException("parallelism must be at least 1");
            }
            this.parallelism = transfers;
            return this;
        }

        /** Retry budget for transient registry failures (default: 4 attempts from 250 ms, doubling). */
        public Builder retries(int maxAttempts, Duration initialBackoff) {
            this.retry = new RegistryOptions.RetryPolicy(maxAttempts, initialBackoff,
                    RegistryOptions.RetryPolicy.DEFAULT.max(), RegistryOptions.RetryPolicy.DEFAULT.maxRetryAfter());
            return this;
        }

        /**
         * How long a registry may take to accept a connection (default 10 s), and to send response
         * headers or the next bytes of a body (default 60 s); a request that times out is retried,
         * a download resumed.
         */
        public Builder timeouts(Duration connect, Duration read) {
            this.connectTimeout = requirePositive(connect, "connect timeout");
            this.readTimeout = requirePositive(read, "read timeout");
            return this;
        }

        /** Blobs larger than this are uploaded in chunks of this size (default 64 MiB). */
        public Builder uploadChunkSize(long bytes) {
            if (bytes < 1) {
                throw new InvalidInputException("upload chunk size must be positive");
            }
            this.uploadChunkSize = bytes;
            return this;
        }

        /** The clock for freshness decisions (tests move it forward). */
        public Builder clock(Clock newClock) {
            this.clock = newClock;
            return this;
        }

        public Kiln build() {
            return new Kiln(this);
        }
    }
}
