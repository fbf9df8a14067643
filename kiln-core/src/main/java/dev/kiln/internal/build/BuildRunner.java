package dev.kiln.internal.build;

import dev.kiln.internal.daemon.DockerDaemon;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.RegistryClient;
import dev.kiln.internal.registry.RegistryTransport;
import dev.kiln.internal.resolve.Futures;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.BaseFiles;
import dev.kiln.internal.store.Lease;
import dev.kiln.internal.store.StoredBaseFiles;
import dev.kiln.internal.store.Ledger;
import dev.kiln.internal.store.LocalStore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one build flow (Jib's StepsRunner in spirit): destination → platforms → bases (resolved while
 * layers that do not depend on them are packed) → every platform's {@link Recipe} → image or index →
 * {@link ImageSink} → ledger → store limit, each as events of one "build" step. Every recipe gets the
 * same guarantees without code of its own; a rebase shares the ending (sink, ledger, store limit).
 */
public final class BuildRunner {
    private final BuildContext context;
    private final RegistryTransport transport;
    private final Supplier<DockerDaemon> daemons;
    private final StoreLimit storeLimit;
    private final Clock clock;
    private final ImageBuilder images;

    /** {@code daemons}: the Docker engine for {@code docker-daemon:} destinations, connected on first use. */
    public BuildRunner(LocalStore store, Resolver resolver, RegistryTransport transport, ExecutorService transfers,
                       Supplier<DockerDaemon> daemons, StoreLimit storeLimit, Clock clock) {
        this.context = new BuildContext(store, resolver, transfers);
        this.transport = transport;
        this.daemons = daemons;
        this.storeLimit = storeLimit;
        this.clock = clock;
        this.images = new ImageBuilder(context);
    }

    /** One platform's build: its base and freshness ({@code spec}'s layers and changes are the recipe's) and its recipe. */
    public record Part(BuildSpec spec, Recipe recipe) {
    }

    /**
     * Builds for {@code platforms} ({@code null}: this machine's; else comma-separated, each once) and
     * puts the image, or an index of them, into {@code target}'s sink. {@code part} makes each
     * platform's part; it runs before any request, so what it checks fails early, as does a local
     * destination that cannot be written.
     */
    public Built build(Target target, String platforms, Function<Platform, Part> part, Telemetry telemetry) {
        target.checkWritable();
        ImageSink sink = sink(target);
        List<Part> parts = new ArrayList<>();
        try {
            for (Platform platform : platforms(platforms, target, sink)) {
                parts.add(part.apply(platform));
            }
            expectScopes(target, parts.stream().map(p -> p.spec().base()).toList(), telemetry);
            Built built = telemetry.step("build", target.toString(), () -> {
                try {
                    return run(parts, sink, telemetry);
                } finally {
                    sink.finish();
                }
            }, Built::target);
            return end(sink, built, telemetry);
        } finally {
            parts.forEach(p -> p.recipe().close());
        }
    }

    /** Rebases {@code image} (see {@link Rebase}) and publishes it as a build is published. */
    public Built rebase(Reference image, Reference newBase, Target.Registry registry, Platform platform, Telemetry telemetry) {
        ImageSink sink = sink(registry);
        expectScopes(registry, Arrays.asList(image, newBase), telemetry);   // newBase null: the old base's tag now
        Built built = telemetry.step("rebase", image.toString(), () -> {
            // under a lease: the new config and manifest are referenced by no record until the push is done
            try (Lease ignored = context.store().lease()) {
                Rebase.Result rebased = new Rebase(context.store(), context.resolver(), images)
                        .rebase(image, newBase, registry.reference(), platform, telemetry);
                BuildResult result = publish(sink, registry, rebased.manifest(), rebased.newBase(), rebased.image().platform(), List.of(), false,
                        telemetry);
                return new Built(result.target(), result.digest(), List.of(result));
            }
        }, Built::target);
        return end(sink, built, telemetry);
    }

    /**
     * Tells the transport every scope the operation will need on token-auth registries (the bases' pull,
     * the target's pull and push, which also covers mounts from a base), so that one token serves it.
     */
    private void expectScopes(Target target, List<Reference> bases, Telemetry telemetry) {
        bases.stream().filter(Objects::nonNull)
                .forEach(base -> transport.expect(telemetry, base.registry(), RegistryClient.pullScope(base.repository())));
        if (target instanceof Target.Registry registry) {
            Reference ref = registry.reference();
            transport.expect(telemetry, ref.registry(), RegistryClient.pushScope(ref.repository()));
        }
    }

    /** The sink for {@code target}: the one place a destination becomes a writer. */
    private ImageSink sink(Target target) {
        if (target instanceof Target.Registry registry) {
            return new RegistryPublisher(context, transport, registry.reference());
        }
        if (target instanceof Target.OciLayout layout) {
            return LocalSinks.ociLayout(context, layout);
        }
        if (target instanceof Target.DockerArchive archive) {
            return LocalSinks.dockerArchive(context, archive);
        }
        return LocalSinks.daemon(context, daemons, (Target.DockerDaemon) target);
    }

    /** Parsed, each once; several only into a sink that holds an index, checked here, before any request. */
    private static List<Platform> platforms(String platforms, Target target, ImageSink sink) {
        if (platforms == null) {
            return List.of(Platform.host());
        }
        List<Platform> parsed = new ArrayList<>();
        for (String text : platforms.split(",", -1)) {
            Platform platform = Platform.parse(text.strip());
            if (parsed.contains(platform)) {
                throw new InvalidInputException("platform " + platform + " is named twice in '" + platforms + "'");
            }
            parsed.add(platform);
        }
        if (parsed.size() > 1 && !sink.holdsIndex()) {
            throw new InvalidInputException("a multi-platform build needs a registry target (REGISTRY/REPO:TAG) or an OCI layout "
                    + "(oci:DIR[:TAG]) to hold its index, not " + target + ", which takes one platform");
        }
        return parsed;
    }

    /** The base's file tree, read from its layers (fetched into the store if absent) only when a recipe asks. */
    private BaseFiles baseFiles(ResolvedImage base, Telemetry telemetry) {
        return base == null ? BaseFiles.NONE : new StoredBaseFiles(context.store(), base.parsedManifest().layers(),
                layer -> context.resolver().ensureLayer(base, layer, telemetry), telemetry::emit);
    }

    private Built run(List<Part> parts, ImageSink sink, Telemetry telemetry) {
        try (Lease ignored = context.store().lease()) {
            // a recipe that ignores the base is asked first, and its layers pack while the bases resolve
            Recipe first = parts.get(0).recipe();
            Recipe.Addition early = first.dependsOnBase() ? null : first.apply(null, BaseFiles.NONE);
            List<CompletableFuture<BuildResult.AppLayer>> packing = early == null ? null
                    : images.startLayers(withAddition(parts.get(0).spec(), early), telemetry);
            List<ResolvedImage> bases = new ArrayList<>();
            List<Recipe.Addition> additions = new ArrayList<>();
            try {
                // every base first: a base lacking a platform fails the build before anything is published
                for (Part part : parts) {
                    bases.add(part.spec().base() == null ? null : images.resolveBase(part.spec(), telemetry));
                }
                for (int i = 0; i < parts.size(); i++) {
                    ResolvedImage base = bases.get(i);
                    additions.add(i == 0 && early != null ? early
                            : parts.get(i).recipe().apply(base == null ? null : base.config(), baseFiles(base, telemetry)));
                }
            } catch (RuntimeException e) {
                if (packing != null) {
                    Futures.awaitAll(packing);
                }
                throw e;
            }
            // the bases are there: the target's first request may overlap the layers still building
            sink.start(telemetry);
            boolean index = parts.size() > 1;
            List<BuildResult> built = new ArrayList<>();
            List<RawManifest> manifests = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                BuildSpec spec = withAddition(parts.get(i).spec(), additions.get(i));
                ResolvedImage base = bases.get(i);
                List<CompletableFuture<BuildResult.AppLayer>> layers = i == 0 && packing != null ? packing : images.startLayers(spec, telemetry);
                Supplier<BuildResult> image = () -> {
                    List<BuildResult.AppLayer> appLayers = Futures.joinAll(layers);
                    RawManifest manifest = telemetry.step("config", spec.target().toString(), () -> images.writeImage(spec, base, appLayers),
                            m -> "manifest " + m.digest().shortHex());
                    manifests.add(manifest);
                    Platform platform = base != null && base.config().os() != null ? base.config().platform() : spec.platform();
                    return publish(sink, spec.target(), manifest, base, platform, appLayers, index, telemetry);
                };
                built.add(index ? telemetry.step("platform " + spec.platform(), spec.target().toString(), image, r -> r.digest().shortHex())
                        : image.get());
            }
            if (!index) {
                return new Built(built.get(0).target(), built.get(0).digest(), built);
            }
            RawManifest indexManifest = images.storeIndex(built);
            telemetry.step("publish index", parts.get(0).spec().target().toString(),
                    () -> sink.putIndex(indexManifest, manifests, telemetry),
                    p -> p.manifestPut() ? "index " + indexManifest.digest().shortHex() : "the tag already points at it");
            return new Built(sink.published(indexManifest, false), indexManifest.digest(), built);
        }
    }

    private BuildResult publish(ImageSink sink, Target target, RawManifest manifest, ResolvedImage base, Platform platform,
                                List<BuildResult.AppLayer> layers, boolean inIndex, Telemetry telemetry) {
        BuildResult.Publication publication = telemetry.step("publish", target.toString(),
                () -> sink.putImage(manifest, base, inIndex, telemetry), BuildRunner::summary);
        return new BuildResult(sink.published(manifest, inIndex), platform, manifest.digest(), manifest.descriptor(), base, layers,
                publication);
    }

    private static BuildSpec withAddition(BuildSpec spec, Recipe.Addition addition) {
        return spec.with(addition.layers(), addition.changes());
    }

    /** The ending every build and rebase shares: the ledger records what a registry received, then the store limit. */
    private Built end(ImageSink sink, Built built, Telemetry telemetry) {
        Reference name = sink.ledgerName();
        if (name != null) {
            for (BuildResult image : built.images()) {
                ResolvedImage base = image.base();
                context.store().ledger().append(new Ledger.Entry(name.toString(), image.digest(), image.platform().toString(),
                        base == null ? null : base.reference().toString(), base == null ? null : base.digest(),
                        base == null ? null : base.topDigest(), clock.instant()));
            }
        }
        storeLimit.apply(telemetry);
        return built;
    }

    private static String summary(BuildResult.Publication p) {
        return p.uploaded() + " uploaded (" + p.bytesUploaded() + " B), " + p.skipped() + " already there, " + p.mounted() + " mounted";
    }
}
