package dev.kiln.api;

import dev.kiln.build.BuildSpec;
import dev.kiln.build.ConfigChanges;
import dev.kiln.build.ImageBuilder;
import dev.kiln.build.Target;
import dev.kiln.credentials.Credential;
import dev.kiln.credentials.CredentialProvider;
import dev.kiln.credentials.DockerConfigCredentials;
import dev.kiln.credentials.StaticCredentials;
import dev.kiln.daemon.DaemonLevel;
import dev.kiln.daemon.DockerDaemon;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.StoreException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
import dev.kiln.dockerfile.DockerfileBuild;
import dev.kiln.store.BaseFiles;
import dev.kiln.store.StoredBaseFiles;
import dev.kiln.flink.FlinkDeployment;
import dev.kiln.flink.FlinkJob;
import dev.kiln.flink.FlinkVersion;
import dev.kiln.flink.JobJar;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.HostPattern;
import dev.kiln.image.ImageConfig;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Reference;
import dev.kiln.layer.Compression;
import dev.kiln.layer.LayerSource;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.RegistryTransport;
import dev.kiln.resolve.DaemonSource;
import dev.kiln.resolve.Mirror;
import dev.kiln.resolve.PullSpec;
import dev.kiln.resolve.RegistryRules;
import dev.kiln.resolve.ResolvedImage;
import dev.kiln.resolve.Resolver;
import dev.kiln.store.Ledger;
import dev.kiln.store.LocalStore;
import dev.kiln.store.StoreCollector;
import dev.kiln.store.StoreVerifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Failures are {@link dev.kiln.error.KilnException}s with one-line messages.
 */
public final class Kiln implements AutoCloseable {
    private final LocalStore store;
    private final Resolver resolver;
    private final ImageBuilder builder;
    private final KilnListener listener;
    private final ExecutorService transfers;
    private final Clock clock;
    /** The store's size limit as the cleaning it triggers: down to the low watermark; {@code null}: none. */
    private final StoreCollector.PruneOptions storeLimit;
    private final RegistryRules rules;
    private final String daemonHost;
    private DockerDaemon daemon;
    private static final Duration BACKGROUND_GRACE = Duration.ofSeconds(30);
    private static final Duration DEFAULT_MIRROR_TIMEOUT = Duration.ofSeconds(5);

    private Kiln(Builder builder) {
        Digest.warmUpSha256();
        this.listener = builder.listener;
        this.clock = builder.clock;
        this.storeLimit = builder.storeLimit;
        this.store = LocalStore.open(builder.cacheDir.resolve("store"), listener, !builder.existingStoreOnly);
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
        this.rules = new RegistryRules(builder.rules);
        this.resolver = new Resolver(store, transport, transfers, clock, listener, rules,
                builder.daemonLevel ? DaemonSource.of(new DaemonLevel(this::daemon, store)) : null);
        this.builder = new ImageBuilder(store, resolver, transport, transfers, this::daemon);
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
        PullSpec spec = spec(request);
        Telemetry telemetry = new Telemetry(listener);
        Resolver.Pulled pulled = telemetry.step("pull", spec.reference().toString(),
                () -> resolver.pull(spec, telemetry),
                p -> p.image().source() + ", " + p.layersFetched() + " layers fetched, " + p.layersCached() + " cached");
        ResolvedImage image = pulled.image();
        keepStoreWithinLimit(telemetry);
        return new PullResult(image.reference().toString(), image.digest().toString(), indexDigest(image),
                image.platform().toString(), image.source(), image.decision(), telemetry.requests(),
                telemetry.bytesDownloaded(), telemetry.elapsed(), pulled.layersFetched(), pulled.layersCached(),
                layers(image));
    }

    /** The image's manifest and config, fetching only those (never layers) when not cached. */
    public ImageInfo inspect(PullRequest request) {
        PullSpec spec = spec(request);
        Telemetry telemetry = new Telemetry(listener);
        ResolvedImage image = telemetry.step("inspect", spec.reference().toString(),
                () -> resolver.resolve(spec, telemetry), ResolvedImage::source);
        ImageConfig.RuntimeConfig runtime = Optional.ofNullable(image.config().config())
                .orElse(new ImageConfig.RuntimeConfig(null, null, null, null, null, null, null, null, null));
        List<LayerInfo> layers = layers(image);
        return new ImageInfo(image.reference().toString(), image.digest().toString(), indexDigest(image),
                image.config().platform().toString(), image.manifest().mediaType(), layers,
                layers.stream().mapToLong(LayerInfo::size).sum(), orEmpty(runtime.env()), orEmpty(runtime.entrypoint()),
                orEmpty(runtime.cmd()), runtime.workingDir(), runtime.user(),
                runtime.labels() == null ? Map.of() : runtime.labels(),
                runtime.exposedPorts() == null ? List.of() : List.copyOf(runtime.exposedPorts().keySet()),
                image.config().created(), image.source(), telemetry.requests());
    }

    /**
     * Builds an image: the base resolved store-first under the request's policy, each added path as
     * one reproducible layer (reused when its inputs are unchanged), config and manifest derived from
     * the base's, published to the target with only the blobs it lacks.
     */
    public BuildResult build(BuildRequest request) {
        Telemetry telemetry = new Telemetry(listener);
        if (request.dockerfile() != null) {
            return buildDockerfile(request, telemetry);
        }
        List<BuildSpec> specs = platforms(request.platform(), Target.parse(request.target(), request.tarName())).stream()
                .map(p -> buildSpec(request, p)).toList();
        Built built = telemetry.step("build", specs.get(0).target().toString(),
                () -> specs.size() == 1 ? Built.of(builder.build(specs.get(0), telemetry)) : Built.of(builder.buildIndex(specs, telemetry)),
                Built::target);
        recordInLedger(built, specs.get(0).target());
        keepStoreWithinLimit(telemetry);
        return buildResult(built, telemetry);
    }

    /**
     * A Dockerfile build: the Dockerfile is read for every platform first (unsupported instructions,
     * undeclared build arguments and syntax errors fail here, before any request); then, per platform,
     * the base is resolved and the stage evaluated with the base's environment; then one image, or
     * an index. Archives ADD extracts live in a scratch directory until the build is over.
     */
    private BuildResult buildDockerfile(BuildRequest request, Telemetry telemetry) {
        if (!request.layers().isEmpty() || !request.env().isEmpty() || !request.labels().isEmpty()) {
            throw new InvalidInputException("a Dockerfile build takes its files, environment and labels from the Dockerfile");
        }
        Target target = Target.parse(request.target(), request.tarName());
        List<DockerfileBuild> files = platforms(request.platform(), target).stream()
                .map(p -> DockerfileBuild.read(request.dockerfile(), request.context(), request.buildArgs(), p,
                        DockerfileBuild.runsAllowed(request.run()))).toList();
        Compression compression = Compression.parse(request.compression());
        Instant time = request.time() != null ? request.time() : sourceDateEpoch();
        Path scratch;
        try {
            scratch = Files.createTempDirectory("kiln-dockerfile-");
        } catch (IOException e) {
            throw new StoreException("cannot create a scratch directory: " + e.getMessage(), e);
        }
        try {
            Built built = telemetry.step("build", target.toString(), () -> {
                List<ResolvedImage> bases = new ArrayList<>();
                List<BuildSpec> specs = new ArrayList<>();
                for (int i = 0; i < files.size(); i++) {
                    DockerfileBuild.From from = files.get(i).from();
                    Reference fromBase = from.base() == null ? null : Reference.parse(from.base());
                    RegistryRules.Freshness fresh = freshness(fromBase, request.policy(), request.maxAge(), request.maxStale(),
                            request.staleIfError());
                    BuildSpec template = new BuildSpec(fromBase, from.platform(), fresh.policy(), fresh.maxAge(), fresh.staleness(),
                            List.of(), null, compression, time, target);
                    ResolvedImage base = template.base() == null ? null : builder.resolveBase(template, telemetry);
                    List<String> baseEnv = base == null || base.config().config() == null || base.config().config().env() == null
                            ? List.of() : base.config().config().env();
                    // a RUN reads the base's files (layer indexes in the store) only when it must
                    BaseFiles baseFiles = base == null ? BaseFiles.NONE : new StoredBaseFiles(store, base.parsedManifest().layers(),
                            layer -> resolver.ensureLayer(base, layer, telemetry), telemetry::emit);
                    String baseWorkdir = base == null || base.config().config() == null ? null : base.config().config().workingDir();
                    DockerfileBuild.Stage stage = files.get(i).evaluate(baseEnv, baseWorkdir, scratch.resolve("platform-" + i), baseFiles);
                    specs.add(template.with(stage.layers(), stage.changes()));
                    bases.add(base);
                }
                return specs.size() == 1 ? Built.of(builder.build(specs.get(0), bases.get(0), telemetry))
                        : Built.of(builder.buildIndex(specs, bases, telemetry));
            }, Built::target);
            recordInLedger(built, target);
            keepStoreWithinLimit(telemetry);
            return buildResult(built, telemetry);
        } finally {
            deleteRecursively(scratch);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it eventually
        }
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
        Platform wanted = platform == null ? Platform.host() : Platform.parse(platform);
        if (!(Target.parse(target != null ? target : imageRef.toString(), null) instanceof Target.Registry destination)) {
            throw new InvalidInputException("a rebase is pushed to a registry (a tag in the image's repository), not to " + target);
        }
        Built built = telemetry.step("rebase", imageRef.toString(), () -> {
            ResolvedImage current = resolver.resolve(new PullSpec(imageRef, wanted, PullPolicy.ALWAYS, null, false), telemetry);
            Map<String, String> annotations = current.parsedManifest().annotations();
            String baseName = annotations.get("org.opencontainers.image.base.name");
            String baseDigest = annotations.get("org.opencontainers.image.base.digest");
            if (baseName == null || baseDigest == null) {
                Ledger.Entry entry = store.ledger().entries().stream()
                        .filter(e -> e.digest().equals(current.digest()) && e.base() != null).reduce((a, b) -> b)
                        .orElseThrow(() -> new InvalidInputException("cannot tell which base " + imageRef + " was built on: it names none "
                                + "(org.opencontainers.image.base.name/digest) and Kiln's ledger has no build of it"));
                baseName = entry.base();
                baseDigest = entry.baseDigest().toString();
            }
            Reference oldRef = Reference.parse(baseName);
            ResolvedImage oldBase = resolver.resolve(new PullSpec(oldRef.withDigest(Digest.parse(baseDigest)), wanted,
                    PullPolicy.IF_NOT_PRESENT, null, false), telemetry);
            Reference newRef = newBase != null ? Reference.parse(newBase) : new Reference(oldRef.registry(), oldRef.repository(), oldRef.tag(), null);
            ResolvedImage base = resolver.resolve(new PullSpec(newRef, wanted, PullPolicy.ALWAYS, null, false), telemetry);
            return Built.of(builder.rebase(current, oldBase, base, destination, telemetry));
        }, Built::target);
        recordInLedger(built, destination);
        return buildResult(built, telemetry);
    }

    /** Records what a registry target received, per platform, for {@link #outdated()}. */
    private void recordInLedger(Built built, Target target) {
        if (!(target instanceof Target.Registry registry)) {
            return;
        }
        for (dev.kiln.build.BuildResult image : built.images()) {
            ResolvedImage base = image.base();
            store.ledger().append(new Ledger.Entry(registry.reference().toString(), image.digest(), image.platform().toString(),
                    base == null ? null : base.reference().toString(), base == null ? null : base.digest(), clock.instant()));
        }
    }

    /**
     * The images Kiln built (the latest build of each image and platform, from the ledger) whose base
     * tag has moved since: one manifest HEAD per base tag; a moved base's manifest and config are
     * fetched (not its layers) to know its new digest for the platform. Bases pinned by digest never move.
     */
    public List<OutdatedImage> outdated() {
        Telemetry telemetry = new Telemetry(listener);
        Map<String, Ledger.Entry> latest = new java.util.LinkedHashMap<>();
        for (Ledger.Entry entry : store.ledger().entries()) {
            if (entry.base() != null && !Reference.parse(entry.base()).isPinned()) {
                latest.put(entry.image() + " " + entry.platform(), entry);
            }
        }
        Set<String> checked = new HashSet<>();
        Map<String, Digest> baseNow = new HashMap<>();
        List<OutdatedImage> outdated = new ArrayList<>();
        for (Ledger.Entry entry : latest.values()) {
            String key = entry.base() + " " + entry.platform();
            Digest now = baseNow.computeIfAbsent(key, k -> {
                PullPolicy policy = checked.add(entry.base()) ? PullPolicy.ALWAYS : PullPolicy.IF_NOT_PRESENT;
                return telemetry.step("check base", entry.base() + " (" + entry.platform() + ")",
                        () -> resolver.resolve(new PullSpec(Reference.parse(entry.base()), Platform.parse(entry.platform()), policy, null,
                                false), telemetry), ResolvedImage::decision).digest();
            });
            if (!now.equals(entry.baseDigest())) {
                outdated.add(new OutdatedImage(entry.image(), entry.platform(), entry.digest().toString(), entry.base(),
                        entry.baseDigest().toString(), now.toString()));
            }
        }
        return outdated;
    }

    /** A build's outcome, one image or an index of several: what the API's {@link BuildResult} is made of. */
    private record Built(String target, Digest digest, List<dev.kiln.build.BuildResult> images) {
        static Built of(dev.kiln.build.BuildResult image) {
            return new Built(image.target(), image.digest(), List.of(image));
        }

        static Built of(ImageBuilder.IndexResult index) {
            return new Built(index.target(), index.digest(), index.images());
        }
    }

    /**
     * {@code null}: this machine's; else one platform or several, comma-separated, each once. Several
     * need a registry target (an index), checked here, before any request.
     */
    private static List<Platform> platforms(String platforms, Target target) {
        if (platforms == null) {
            return List.of(Platform.host());
        }
        List<Platform> parsed = new ArrayList<>();
        for (String part : platforms.split(",", -1)) {
            Platform platform = Platform.parse(part.strip());
            if (parsed.contains(platform)) {
                throw new InvalidInputException("platform " + platform + " is named twice in '" + platforms + "'");
            }
            parsed.add(platform);
        }
        if (parsed.size() > 1 && !(target instanceof Target.Registry)) {
            throw new InvalidInputException("a multi-platform build needs a registry target (REGISTRY/REPO:TAG), not " + target);
        }
        return parsed;
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
        RegistryRules.Freshness fresh = freshness(baseRef, request.policy(), request.maxAge(), request.maxStale(), request.staleIfError());
        List<BuildSpec> templates = platforms(request.platform(), target).stream().map(platform -> new BuildSpec(baseRef, platform,
                fresh.policy(), fresh.maxAge(), fresh.staleness(), List.of(), null,
                Compression.parse(request.compression()), request.time() != null ? request.time() : sourceDateEpoch(), target)).toList();

        PlannedBuild planned = telemetry.step("build", target.toString(), () -> {
            List<ResolvedImage> bases = templates.stream().map(t -> builder.resolveBase(t, telemetry)).toList();
            FlinkJob.Plan plan = job.plan(bases.get(0).config());
            for (ResolvedImage other : bases) {
                String home = FlinkJob.flinkHome(other.config());
                if (!home.equals(plan.flinkHome())) {
                    throw new InvalidInputException("the platforms of " + baseRef + " disagree on FLINK_HOME: "
                            + plan.flinkHome() + " and " + home);
                }
            }
            List<BuildSpec> specs = templates.stream().map(t -> t.with(plan.layers(),
                    new ConfigChanges(plan.env(), null, null, null, null, plan.labels(), List.of()))).toList();
            Built images = specs.size() == 1 ? Built.of(builder.build(specs.get(0), bases.get(0), telemetry))
                    : Built.of(builder.buildIndex(specs, bases, telemetry));
            return new PlannedBuild(images, plan, bases.get(0));
        }, p -> p.built().target());
        Built built = planned.built();
        FlinkJob.Plan plan = planned.plan();
        recordInLedger(built, target);
        keepStoreWithinLimit(telemetry);
        BuildResult result = buildResult(built, telemetry);

        FlinkVersion version = givenVersion != null ? givenVersion : FlinkVersion.of(baseRef, planned.firstBase().config()).orElse(null);
        // by digest alone: what Kubernetes pulls is exactly what was built, and every tool reads the name
        String image = target instanceof Target.Registry registry ? registry.reference().name() + "@" + result.digest() : null;
        FlinkDeployment deployment = image == null || version == null ? null
                : new FlinkDeployment(settings, image, version, plan.jarUri(), job.mainClass());
        return new FlinkBuildResult(result, plan.flinkHome(), plan.jarUri(), job.mainClass().orElse(null),
                version == null ? null : version.toString(), image, deployment == null ? null : deployment.toYaml(),
                deployment == null ? List.of() : deployment.nativeArgs(), deployment == null ? null : deployment.nativeCommand());
    }

    /** A Flink build's outcome with what it was planned on: the job's layout and the first platform's base. */
    private record PlannedBuild(Built built, FlinkJob.Plan plan, ResolvedImage firstBase) {
    }

    /** One image, or an index of several: base and layers are the first image's, blob counts the sum. */
    private static BuildResult buildResult(Built built, Telemetry telemetry) {
        List<dev.kiln.build.BuildResult> images = built.images();
        dev.kiln.build.BuildResult first = images.get(0);
        ResolvedImage base = first.base();
        List<dev.kiln.build.BuildResult.Publication> published = images.stream().map(dev.kiln.build.BuildResult::publish).toList();
        return new BuildResult(built.target(), built.digest().toString(),
                base == null ? null : baseInfo(base),
                first.appLayers().stream().map(l -> new BuildResult.AppLayer(l.source(), l.destination(),
                        l.descriptor().digest().toString(), l.descriptor().size(), l.cached())).toList(),
                published.stream().mapToInt(p -> p.uploaded()).sum(), published.stream().mapToLong(p -> p.bytesUploaded()).sum(),
                published.stream().mapToInt(p -> p.skipped()).sum(), published.stream().mapToLong(p -> p.bytesSkipped()).sum(),
                published.stream().mapToInt(p -> p.mounted()).sum(), published.stream().mapToLong(p -> p.bytesMounted()).sum(),
                telemetry.requests(), telemetry.bytesDownloaded(),
                telemetry.elapsed(), telemetry.steps().stream()
                        .map(s -> new BuildResult.StepTiming(s.step(), s.duration().toMillis(), s.detail())).toList(),
                images.stream().map(i -> new BuildResult.PlatformImage(i.platform().toString(), i.target(), i.digest().toString(),
                        i.base() == null ? null : baseInfo(i.base()))).toList());
    }

    private static BuildResult.BaseInfo baseInfo(ResolvedImage base) {
        return new BuildResult.BaseInfo(base.reference().toString(), base.digest().toString(), base.source(), base.decision());
    }

    private BuildSpec buildSpec(BuildRequest request, Platform platform) {
        Reference base = request.base() == null ? null : Reference.parse(request.base());
        List<LayerSource> layers = request.layers().stream()
                .map(a -> new LayerSource(a.source(), a.destination(), a.uid(), a.gid())).toList();
        ConfigChanges changes = new ConfigChanges(request.env(), request.entrypoint(), request.cmd(), request.workingDir(),
                request.user(), request.labels(), request.exposedPorts());
        Instant time = request.time() != null ? request.time() : sourceDateEpoch();
        RegistryRules.Freshness fresh = freshness(base, request.policy(), request.maxAge(), request.maxStale(), request.staleIfError());
        return new BuildSpec(base, platform, fresh.policy(), fresh.maxAge(), fresh.staleness(),
                layers, changes, Compression.parse(request.compression()), time, Target.parse(request.target(), request.tarName()));
    }

    /** {@code SOURCE_DATE_EPOCH} (seconds), the reproducible-builds convention; else the constant default. */
    private static Instant sourceDateEpoch() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch == null || epoch.isBlank()) {
            return BuildSpec.DEFAULT_TIME;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(epoch.strip()));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("SOURCE_DATE_EPOCH must be a number of seconds, not '" + epoch + "'");
        }
    }

    /** Every image in the local store, per platform. */
    public List<CachedImage> cachedImages() {
        return new StoreCollector(store).list().stream().map(Kiln::cachedImage).toList();
    }

    /**
     * Asks the registry whether cached tags moved — one manifest HEAD per tag — and pulls those that
     * did (only what changed), for every cached platform. {@code images} empty: every cached tag;
     * references pinned by digest are immutable and skipped. An image not in the store is an error.
     */
    public List<RefreshedImage> refresh(List<String> images) {
        Telemetry telemetry = new Telemetry(listener);
        Set<String> wanted = new HashSet<>();
        for (String image : images) {
            String normalized = Reference.parse(image).toString();
            if (store.records().find(Reference.parse(image)).isEmpty()) {
                throw new InvalidInputException("image " + normalized + " is not in the local store (see 'kiln cache ls')");
            }
            wanted.add(normalized);
        }
        List<RefreshedImage> refreshed = new ArrayList<>();
        Set<String> checked = new HashSet<>();
        for (StoreCollector.CachedImage cached : new StoreCollector(store).list()) {
            Reference ref = Reference.parse(cached.reference());
            if (ref.isPinned() || !wanted.isEmpty() && !wanted.contains(cached.reference())) {
                continue;
            }
            // the tag is asked once; its other platforms follow the record the first check updated
            PullPolicy policy = checked.add(cached.reference()) ? PullPolicy.ALWAYS : PullPolicy.IF_NOT_PRESENT;
            Resolver.Pulled pulled = telemetry.step("refresh", cached.reference() + " (" + cached.platform() + ")",
                    () -> resolver.pull(new PullSpec(ref, Platform.parse(cached.platform()), policy, null, false), telemetry),
                    p -> p.image().decision());
            String now = pulled.image().digest().toString();
            refreshed.add(new RefreshedImage(cached.reference(), cached.platform(), cached.manifest().toString(), now,
                    !now.equals(cached.manifest().toString())));
        }
        keepStoreWithinLimit(telemetry);
        return refreshed;
    }

    /** Removes an image (all its platforms) from the store, with the blobs no other image uses. */
    public PruneResult removeCached(String image) {
        Reference ref = Reference.parse(image);
        if (store.records().find(ref).isEmpty()) {
            throw new InvalidInputException("image " + ref + " is not in the local store (see 'kiln cache ls')");
        }
        return pruneResult(new StoreCollector(store).remove(ref));
    }

    /**
     * Cleans the store: drops images unused for longer than {@code maxAge}, then least recently used
     * ones until it fits {@code maxSizeBytes}, then every unreferenced blob. Either limit may be null.
     */
    public PruneResult prune(Long maxSizeBytes, Duration maxAge, boolean dryRun) {
        return prune(new PruneRequest(maxSizeBytes, null, maxAge, null, dryRun));
    }

    /**
     * Checks the store as after a crash: re-hashes every blob (removing any that does not match) and
     * follows every record's references. Runs under a store lease: cleaning waits for it.
     */
    public StoreVerification verifyStore() {
        StoreVerifier.Report report = new StoreVerifier(store).verify();
        return new StoreVerification(report.blobs(), report.bytes(), report.corrupt().stream().map(Digest::toString).toList(),
                report.dangling(), report.layersNotFetched(), report.ingestFiles(), report.ok());
    }

    /** Cleans the store by size (watermarks), age and keep-last-N per repository; waits for running pulls and builds. */
    public PruneResult prune(PruneRequest request) {
        return pruneResult(new StoreCollector(store).prune(new StoreCollector.PruneOptions(request.maxSize(), request.lowWatermark(),
                request.maxAge(), request.keepLast(), request.dryRun(), request.partialMaxAge()), clock.instant()));
    }

    /**
     * After a pull or build: a store above its configured limit is cleaned down to the low
     * watermark, least recently used images first, unless another process is using it right now
     * (then it is left for the next operation, with a warning: a build never waits for cleaning).
     */
    private void keepStoreWithinLimit(Telemetry telemetry) {
        if (storeLimit == null) {
            return;
        }
        StoreCollector collector = new StoreCollector(store);
        long size = collector.size();
        if (size <= storeLimit.maxSize()) {
            return;
        }
        String over = "the store holds " + Units.formatSize(size) + ", above its limit of " + Units.formatSize(storeLimit.maxSize());
        Optional<StoreCollector.PruneReport> report = collector.pruneIfIdle(storeLimit, clock.instant());
        telemetry.emit(report.<KilnEvent>map(r -> new KilnEvent.CacheDecision("store", "pruned", over + ": removed "
                        + r.removedImages().size() + " images, " + Units.formatSize(r.bytesFreed()) + " freed"))
                .orElseGet(() -> new KilnEvent.Warning(over + "; another process is using it, so it is cleaned later")));
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

    private PullSpec spec(PullRequest request) {
        if (request.image() == null) {
            throw new InvalidInputException("no image given");
        }
        Reference ref = Reference.parse(request.image());
        Platform platform = request.platform() == null ? Platform.host() : Platform.parse(request.platform());
        if (request.maxAge() != null && request.maxAge().isNegative()) {
            throw new InvalidInputException("max-age must not be negative");
        }
        RegistryRules.Freshness fresh = freshness(ref, request.policy(), request.maxAge(), request.maxStale(), request.staleIfError());
        return new PullSpec(ref, platform, fresh.policy(), fresh.maxAge(), request.verify(), fresh.staleness());
    }

    /** The request's freshness settings, with what it leaves open taken from the base registry's rules. */
    private RegistryRules.Freshness freshness(Reference image, PullPolicy policy, Duration maxAge, Duration maxStale, boolean staleIfError) {
        return rules.freshness(image == null ? "" : image.registry(), policy, maxAge, maxStale, staleIfError);
    }

    private static String indexDigest(ResolvedImage image) {
        return image.topDigest().equals(image.digest()) ? null : image.topDigest().toString();
    }

    private static List<LayerInfo> layers(ResolvedImage image) {
        return image.parsedManifest().layers().stream()
                .map((Descriptor d) -> new LayerInfo(d.digest().toString(), d.size(), d.mediaType())).toList();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static CachedImage cachedImage(StoreCollector.CachedImage image) {
        return new CachedImage(image.reference(), image.platform(), image.manifest().toString(), image.size(),
                image.fetchedAt(), image.checkedAt(), image.lastUsed());
    }

    private static PruneResult pruneResult(StoreCollector.PruneReport report) {
        return new PruneResult(report.removedImages().stream().map(Kiln::cachedImage).toList(), report.blobsRemoved(),
                report.bytesBefore(), report.bytesAfter(), report.dryRun());
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
        private boolean existingStoreOnly;

        private Builder() {
        }

        /**
         * Opens only a store that exists: building fails when the cache directory holds none, instead of
         * creating an empty one (for operations that look after a store, where a mistyped directory must
         * not look like an empty cache).
         */
        public Builder existingStoreOnly() {
            this.existingStoreOnly = true;
            return this;
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
            this.storeLimit = new StoreCollector.PruneOptions(maxSize, lowWatermark, null, null, false, null);
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
