package dev.kiln.api;

import dev.kiln.internal.build.Target;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Platform;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.RegistryTransport;
import dev.kiln.internal.resolve.PullSpec;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.resolve.Resolver;

import java.nio.file.Path;
import java.util.List;

/**
 * Kiln's public entry point, for platforms that embed it and for the CLI:
 * <pre>{@code
 * try (Kiln kiln = Kiln.builder().cacheDir(Path.of("/var/lib/kiln")).build()) {
 *     PullResult base = kiln.pull(PullRequest.builder("flink:1.18").platform("linux/amd64").build());
 * }
 * }</pre>
 * Thread-safe: one instance serves concurrent operations and shares connections, tokens and the store.
 * Failures are {@link dev.kiln.error.KilnException}s with one-line messages. Every build, whatever says
 * what it adds (files, a Dockerfile, a Flink job), and every rebase runs through one build runner:
 * the same steps, events, ledger and store limit for all.
 */
public final class Kiln implements AutoCloseable {
    private final Engine engine;
    private final KilnListener listener;

    Kiln(Settings settings) {
        this.listener = settings.listener;
        this.engine = new Engine(settings);
    }

    /**
     * Starts, on a background thread, the one-time work of a JVM's first operation: initialising
     * the JSON mapper (~0.1 s on a cold JVM), the JDK's HTTP client and compiling SHA-256. A short-lived process such as
     * the CLI calls this first thing, so that the work overlaps its own start-up.
     */
    public static void warmUpInBackground() {
        Thread warmUp = new Thread(() -> {
            Digest.warmUpSha256();
            RegistryTransport.warmUp();
            ImageJson.warmUp();
        }, "kiln-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /** A builder of a {@link Kiln}, with every setting at its default. */
    public static KilnBuilder builder() {
        return new KilnBuilder();
    }

    /** The cache directory Kiln uses when none is given: {@code KILN_CACHE_DIR}, else {@code ~/.kiln}. */
    public static Path defaultCacheDir() {
        String fromEnv = System.getenv("KILN_CACHE_DIR");
        return fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : Path.of(System.getProperty("user.home"), ".kiln");
    }

    /** The local store's directory. */
    public Path storeDir() {
        return engine.store.root();
    }

    /**
     * Makes the image available in the local store (manifest, config and every layer, verified),
     * asking its registry only as the request's freshness requires.
     */
    public PullResult pull(PullRequest request) {
        PullSpec spec = engine.plans.pull(request);
        Telemetry telemetry = new Telemetry(listener);
        Resolver.Pulled pulled = telemetry.step("pull", spec.reference().toString(), () -> engine.resolver.pull(spec, telemetry),
                p -> p.image().source() + ", " + p.layersFetched() + " layers fetched, " + p.layersCached() + " cached");
        engine.storeLimit.apply(telemetry);
        return Results.pull(pulled, telemetry);
    }

    /** The image's manifest and config, fetching only those (never layers) when not cached. */
    public ImageInfo inspect(PullRequest request) {
        PullSpec spec = engine.plans.pull(request);
        Telemetry telemetry = new Telemetry(listener);
        ResolvedImage image = telemetry.step("inspect", spec.reference().toString(),
                () -> engine.resolver.resolve(spec, telemetry), ResolvedImage::source);
        return Results.inspect(image, telemetry);
    }

    /**
     * Builds an image: the base resolved store-first under the request's freshness, each added path as
     * one reproducible layer (reused when its inputs are unchanged; packed while the base resolves),
     * config and manifest derived from the base's, put into the destination (to a registry, only the
     * blobs it lacks). A Dockerfile is read for every platform before any request; its stage is
     * evaluated with each base's environment and the request's configuration applies on top.
     */
    public BuildResult build(BuildRequest request) {
        return build(request, KilnListener.NONE);
    }

    /**
     * {@link #build(BuildRequest)}, with this build's events also sent to {@code buildListener}: a service
     * running several builds on one {@link Kiln} tells each build's events apart this way. Interrupting
     * the calling thread stops the build at its next request; the image is published last, so an
     * interrupted build publishes nothing.
     */
    public BuildResult build(BuildRequest request, KilnListener buildListener) {
        Telemetry telemetry = new Telemetry(both(listener, buildListener));
        return Results.build(engine.runner.build(request.destination().target(), request.platform(), engine.plans.layers(request),
                telemetry), telemetry);
    }

    /**
     * Builds a Flink job image: resolves the Flink base (store-first, as any base), reads its
     * {@code FLINK_HOME}, adds configuration, libraries and the job jar as layers from the least to
     * the most often changing, records the job's jar and entry class in labels, publishes, and
     * describes the deployment of the image by digest. Every input is checked before any request.
     */
    public FlinkBuildResult buildFlink(FlinkBuildRequest request) {
        return buildFlink(request, KilnListener.NONE);
    }

    /** {@link #buildFlink(FlinkBuildRequest)}, with this build's events also sent to {@code buildListener} (see {@link #build(BuildRequest, KilnListener)}). */
    public FlinkBuildResult buildFlink(FlinkBuildRequest request, KilnListener buildListener) {
        return FlinkBuilds.build(request, engine.runner, engine.plans, new Telemetry(both(listener, buildListener)));
    }

    /**
     * Moves an image Kiln built onto a new base without rebuilding it: the old base comes from the
     * image's {@code org.opencontainers.image.base.*} annotations (else the ledger), the new one is the
     * request's, or the old base's tag as it resolves now (one HEAD). The application layers are
     * neither rebuilt nor uploaded again; the push, ledger and store limit are a build's. Refused when
     * the image is not exactly on its old base.
     */
    public BuildResult rebase(RebaseRequest request) {
        return rebase(request, KilnListener.NONE);
    }

    /** {@link #rebase(RebaseRequest)}, with its events also sent to {@code rebaseListener} (see {@link #build(BuildRequest, KilnListener)}). */
    public BuildResult rebase(RebaseRequest request, KilnListener rebaseListener) {
        Telemetry telemetry = new Telemetry(both(listener, rebaseListener));
        return Results.build(engine.runner.rebase(Reference.parse(request.image()),
                request.base() == null ? null : Reference.parse(request.base()), (Target.Registry) request.destination().target(),
                request.platform() == null ? Platform.host() : Platform.parse(request.platform()), telemetry), telemetry);
    }

    /**
     * Every image Kiln built on a base (the latest build of each image and platform, from the ledger), with
     * whether its base tag has moved since: one manifest HEAD per base tag, and nothing fetched or written
     * to the store. A base whose registry cannot be asked (unreachable, credentials refused) makes its
     * images {@code error} rows with the reason; the others are checked all the same. Bases pinned by
     * digest never move.
     */
    public List<OutdatedImage> outdated() {
        return engine.storeOperations.outdated();
    }

    /** {@code first}, then {@code second} (each may be {@code null}); a listener that throws does not keep the event from the other. */
    private static KilnListener both(KilnListener first, KilnListener second) {
        if (second == null || second == KilnListener.NONE) {
            return first;
        }
        if (first == null || first == KilnListener.NONE) {
            return second;
        }
        return event -> {
            try {
                first.onEvent(event);
            } finally {
                second.onEvent(event);
            }
        };
    }

    /** Every image in the local store, per platform. */
    public List<CachedImage> cachedImages() {
        return engine.storeOperations.cachedImages();
    }

    /**
     * Asks the registry whether cached tags moved — one manifest HEAD per tag — and pulls those that
     * did (only what changed), for every cached platform. {@code images} empty: every cached tag;
     * references pinned by digest are immutable and skipped. An image not in the store is an error.
     */
    public List<RefreshedImage> refresh(List<String> images) {
        return engine.storeOperations.refresh(images);
    }

    /** Removes an image (all its platforms) from the store, with the blobs no other image uses. */
    public PruneResult removeCached(String image) {
        return engine.storeOperations.remove(image);
    }

    /** Cleans the store by size (watermarks), age and keep-last-N per repository; waits for running pulls and builds. */
    public PruneResult prune(PruneRequest request) {
        return engine.storeOperations.prune(request);
    }

    /**
     * Checks the store as after a crash: re-hashes every blob (removing any that does not match) and
     * follows every record's references. Runs under a store lease: cleaning waits for it.
     */
    public StoreVerification verifyStore() {
        return engine.storeOperations.verify();
    }

    /**
     * Checks {@code credential} against {@code registry} ({@code host[:port]} or a URL, as Docker configs spell it) as
     * {@code docker login} does: {@code GET /v2/} answered with the credential (Basic, or a token from the registry's
     * token server), with this Kiln's TLS settings but none of its credentials; nothing is kept.
     *
     * @throws dev.kiln.error.AuthenticationException if the registry or its token server refuses the credential
     * @throws dev.kiln.error.InvalidInputException if {@code registry} names no host
     */
    public void checkCredential(String registry, RegistryCredential credential) {
        engine.checkCredential(registry, credential, listener);
    }

    /** Lets background checks (stale-while-revalidate) finish, for up to 30 s, then stops. */
    @Override
    public void close() {
        engine.close();
    }
}
