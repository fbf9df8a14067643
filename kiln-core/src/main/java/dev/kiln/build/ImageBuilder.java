package dev.kiln.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.archive.DockerArchiveWriter;
import dev.kiln.daemon.DockerDaemon;
import dev.kiln.archive.OciLayoutWriter;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.layer.LayerResult;
import dev.kiln.layer.LayerSource;
import dev.kiln.layer.LayerWriter;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryTransport;
import dev.kiln.resolve.Futures;
import dev.kiln.resolve.PullSpec;
import dev.kiln.resolve.ResolvedImage;
import dev.kiln.resolve.Resolver;
import dev.kiln.store.BlobStore;
import dev.kiln.store.FileDigestCache;
import dev.kiln.store.LayerCache;
import dev.kiln.store.Lease;
import dev.kiln.store.LocalStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * One build: resolve the base store-first while building (or reusing) the application layers,
 * derive config and manifest, publish to the target. Every blob is in the store before it is
 * published, except base layers, which are fetched only when the target lacks them.
 */
public final class ImageBuilder {
    private static final String BASE_NAME = "org.opencontainers.image.base.name";
    private static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

    private final LocalStore store;
    private final Resolver resolver;
    private final RegistryTransport transport;
    private final ExecutorService transfers;
    private final Supplier<DockerDaemon> daemons;

    /** {@code daemons}: the Docker engine for {@code docker-daemon:} targets, connected on first use. */
    public ImageBuilder(LocalStore store, Resolver resolver, RegistryTransport transport, ExecutorService transfers,
                        Supplier<DockerDaemon> daemons) {
        this.daemons = daemons;
        this.store = store;
        this.resolver = resolver;
        this.transport = transport;
        this.transfers = transfers;
    }

    public BuildResult build(BuildSpec spec, Telemetry telemetry) {
        return build(spec, null, telemetry);
    }

    /** Resolves {@code spec}'s base as a build does, for a caller that needs the base before it can say what to build. */
    public ResolvedImage resolveBase(BuildSpec spec, Telemetry telemetry) {
        return telemetry.step("resolve base", spec.base().toString(),
                () -> resolver.resolve(new PullSpec(spec.base(), spec.platform(), spec.policy(), spec.maxAge(), false, spec.staleness()),
                        telemetry),
                r -> r.digest().shortHex() + " from " + r.source() + " (" + r.decision() + ")");
    }

    /** {@link #build(BuildSpec, Telemetry)} on a base already resolved with {@link #resolveBase} (null: resolve it here). */
    public BuildResult build(BuildSpec spec, ResolvedImage resolvedBase, Telemetry telemetry) {
        return build(spec, resolvedBase, false, telemetry);
    }

    /**
     * A multi-platform build: one image per platform, each on its platform's base and pushed by
     * digest, then an OCI index of them under the target's tag. The platforms' bases are all
     * resolved first, so a base that lacks a platform fails the build before anything is pushed.
     * The application layers do not depend on the platform: built for the first, they are reused
     * (layer cache) and found at the target (one HEAD) for the others.
     */
    public IndexResult buildIndex(List<BuildSpec> specs, Telemetry telemetry) {
        return buildIndex(specs, specs.stream().map(spec -> spec.base() == null ? null : resolveBase(spec, telemetry)).toList(), telemetry);
    }

    /** {@link #buildIndex(List, Telemetry)} on bases already resolved with {@link #resolveBase}, one per spec. */
    public IndexResult buildIndex(List<BuildSpec> specs, List<ResolvedImage> bases, Telemetry telemetry) {
        Target.Registry registry = requireRegistry(specs.get(0).target());
        List<BuildResult> images = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            BuildSpec spec = specs.get(i);
            ResolvedImage base = bases.get(i);
            images.add(telemetry.step("platform " + spec.platform(), registry.reference().name(),
                    () -> build(spec, base, true, telemetry), r -> r.digest().shortHex()));
        }
        List<Descriptor> entries = images.stream().map(image -> image.manifest().withPlatform(image.platform())).toList();
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", entries);
        RawManifest raw = RawManifest.of(ImageJson.write(index), MediaTypes.OCI_INDEX);
        store.blobs().put(raw.bytes());
        telemetry.step("publish index", registry.reference().toString(), () -> {
            RegistryClient client = new RegistryClient(transport, telemetry);
            boolean current = client.findManifest(registry.reference()).map(d -> d.digest().equals(raw.digest())).orElse(false);
            if (!current) {
                client.putManifest(registry.reference(), raw);
            }
            return current;
        }, unchanged -> unchanged ? "the tag already points at it" : "index " + raw.digest().shortHex());
        return new IndexResult(registry.reference().withDigest(raw.digest()).toString(), raw.digest(), images);
    }

    private static Target.Registry requireRegistry(Target target) {
        if (target instanceof Target.Registry registry) {
            return registry;
        }
        throw new InvalidInputException("a multi-platform build needs a registry target (REGISTRY/REPO:TAG), not " + target);
    }

    /** A multi-platform build: the index and, in the order asked, each platform's image. */
    public record IndexResult(String target, Digest digest, List<BuildResult> images) {
    }

    private BuildResult build(BuildSpec spec, ResolvedImage resolvedBase, boolean byDigest, Telemetry telemetry) {
        try (Lease ignored = store.lease()) {
            // application layers do not depend on the base: they are built while it is resolved
            List<CompletableFuture<BuildResult.AppLayer>> layerBuilds = startLayers(spec, telemetry);
            ResolvedImage base;
            try {
                base = resolvedBase != null || spec.base() == null ? resolvedBase : resolveBase(spec, telemetry);
            } catch (RuntimeException e) {
                Futures.awaitAll(layerBuilds);
                throw e;
            }
            List<BuildResult.AppLayer> layers = Futures.joinAll(layerBuilds);
            RawManifest manifest = telemetry.step("config", spec.target().toString(), () -> writeImage(spec, base, layers),
                    m -> "manifest " + m.digest().shortHex());
            String target = spec.target().toString();
            BuildResult.Publication publication = telemetry.step("publish", target,
                    () -> publish(spec.target(), manifest, base, byDigest, telemetry), ImageBuilder::summary);
            String published = spec.target() instanceof Target.Registry registry
                    ? (byDigest ? byDigest(registry, manifest) : registry.reference().withDigest(manifest.digest())).toString() : target;
            Platform platform = base != null && base.config().os() != null ? base.config().platform() : spec.platform();
            return new BuildResult(published, platform, manifest.digest(), manifest.descriptor(), base, layers, publication);
        }
    }

    private List<CompletableFuture<BuildResult.AppLayer>> startLayers(BuildSpec spec, Telemetry telemetry) {
        List<CompletableFuture<BuildResult.AppLayer>> builds = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSource source = spec.layers().get(i);
            String name = "layer " + (i + 1) + "/" + spec.layers().size();
            builds.add(CompletableFuture.supplyAsync(() -> telemetry.step(name, describe(source),
                    () -> buildLayer(spec, source, telemetry),
                    l -> (l.cached() ? "reused " : "built ") + l.descriptor().digest().shortHex() + ", " + l.descriptor().size() + " B"),
                    transfers));
        }
        return builds;
    }

    private BuildResult.AppLayer buildLayer(BuildSpec spec, LayerSource source, Telemetry telemetry) {
        LayerWriter writer = new LayerWriter(spec.time(), spec.compression());
        Digest fingerprint;
        try (FileDigestCache digests = store.fileDigests(source.source())) {
            fingerprint = writer.fingerprint(source, digests);
        }
        var cached = store.layers().find(fingerprint);
        if (cached.isPresent()) {
            telemetry.emit(new KilnEvent.CacheDecision(describe(source), "hit", "inputs unchanged (fingerprint "
                    + fingerprint.shortHex() + "); reusing layer " + cached.get().descriptor().digest().shortHex()));
            return new BuildResult.AppLayer(source.source().toString(), source.destination(), cached.get().descriptor(),
                    cached.get().diffId(), true);
        }
        LayerResult[] result = new LayerResult[1];
        BlobStore.Written written = store.blobs().write(out -> result[0] = writer.write(source, out));
        Descriptor descriptor = Descriptor.of(spec.compression().mediaType(), written.digest(), written.size());
        store.layers().put(fingerprint, new LayerCache.Entry(descriptor, result[0].diffId()));
        return new BuildResult.AppLayer(source.source().toString(), source.destination(), descriptor, result[0].diffId(), false);
    }

    private RawManifest writeImage(BuildSpec spec, ResolvedImage base, List<BuildResult.AppLayer> layers) {
        List<ConfigEditor.AddedLayer> added = layers.stream()
                .map(l -> new ConfigEditor.AddedLayer(l.diffId(), "kiln add " + fileName(l.source()) + " " + l.destination()))
                .toList();
        byte[] config = ConfigEditor.edit(base == null ? null : base.configBytes(), spec.platform(), spec.changes(), added, spec.time());
        return storeImage(config, base, layers.stream().map(BuildResult.AppLayer::descriptor).toList());
    }

    /** Stores {@code config} and an OCI manifest of the base's layers, then {@code appLayers}, naming the base. */
    private RawManifest storeImage(byte[] config, ResolvedImage base, List<Descriptor> appLayers) {
        store.blobs().put(config);
        List<Descriptor> allLayers = new ArrayList<>();
        if (base != null) {
            base.parsedManifest().layers().forEach(l -> allLayers.add(l.asOciLayer()));
        }
        allLayers.addAll(appLayers);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length));
        manifest.put("layers", allLayers);
        if (base != null) {
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(BASE_DIGEST, base.digest().toString());
            annotations.put(BASE_NAME, base.reference().toString());
            manifest.put("annotations", annotations);
        }
        RawManifest raw = RawManifest.of(ImageJson.write(manifest), MediaTypes.OCI_MANIFEST);
        store.blobs().put(raw.bytes());
        return raw;
    }

    /**
     * Moves {@code image} from {@code oldBase} to {@code newBase} without rebuilding: the manifest gets
     * the new base's layers under the image's own (application) layers, the config the new base's
     * diff ids and history in place of the old base's; everything else in the config stays (as crane
     * rebase does). Refused when the image's lower layers, diff ids or history are not exactly the
     * old base's. The application layers are not downloaded: the target must be the image's repository,
     * which has them; new base layers are mounted or uploaded as in a build.
     */
    public BuildResult rebase(ResolvedImage image, ResolvedImage oldBase, ResolvedImage newBase, Target.Registry target, Telemetry telemetry) {
        if (!target.reference().name().equals(image.reference().name())) {
            throw new InvalidInputException("a rebase is pushed to the image's own repository " + image.reference().name()
                    + ", which has its application layers; not to " + target.reference().name());
        }
        List<Descriptor> layers = image.parsedManifest().layers();
        List<Descriptor> oldLayers = oldBase.parsedManifest().layers();
        boolean onOldBase = layers.size() >= oldLayers.size() && IntStream.range(0, oldLayers.size())
                .allMatch(i -> layers.get(i).digest().equals(oldLayers.get(i).digest()));
        ObjectNode config = (ObjectNode)
                ImageJson.tree(image.configBytes(), "image config of " + image.reference());
        JsonNode oldConfig = ImageJson.tree(oldBase.configBytes(), "config of " + oldBase.reference());
        JsonNode newConfig = ImageJson.tree(newBase.configBytes(), "config of " + newBase.reference());
        List<JsonNode> diffIds = elements(config.path("rootfs").path("diff_ids"));
        List<JsonNode> oldDiffIds = elements(oldConfig.path("rootfs").path("diff_ids"));
        List<JsonNode> history = elements(config.path("history"));
        List<JsonNode> oldHistory = elements(oldConfig.path("history"));
        if (!onOldBase || diffIds.size() < oldDiffIds.size() || !diffIds.subList(0, oldDiffIds.size()).equals(oldDiffIds)
                || history.size() < oldHistory.size() || !history.subList(0, oldHistory.size()).equals(oldHistory)) {
            throw new InvalidInputException("image " + image.reference() + " is not built on " + oldBase.reference() + " ("
                    + oldBase.digest().shortHex() + "): its lower layers, diff ids or history are not exactly the base's");
        }
        ArrayNode newDiffIds = ImageJson.MAPPER.createArrayNode();
        elements(newConfig.path("rootfs").path("diff_ids")).forEach(newDiffIds::add);
        diffIds.subList(oldDiffIds.size(), diffIds.size()).forEach(newDiffIds::add);
        ((ObjectNode) config.get("rootfs")).set("diff_ids", newDiffIds);
        ArrayNode newHistory = ImageJson.MAPPER.createArrayNode();
        elements(newConfig.path("history")).forEach(newHistory::add);
        history.subList(oldHistory.size(), history.size()).forEach(newHistory::add);
        config.set("history", newHistory);
        // under a lease: the new config and manifest are referenced by no record until the push is done
        try (Lease ignored = store.lease()) {
            RawManifest manifest = storeImage(ImageJson.write(config), newBase, layers.subList(oldLayers.size(), layers.size()));
            BuildResult.Publication publication = telemetry.step("publish", target.toString(),
                    () -> publish(target, manifest, newBase, false, telemetry), ImageBuilder::summary);
            return new BuildResult(target.reference().withDigest(manifest.digest()).toString(), image.platform(), manifest.digest(),
                    manifest.descriptor(), newBase, List.of(), publication);
        }
    }

    private static String summary(BuildResult.Publication p) {
        return p.uploaded() + " uploaded (" + p.bytesUploaded() + " B), " + p.skipped() + " already there, " + p.mounted() + " mounted";
    }

    private static List<JsonNode> elements(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    /** The image's name without the tag, pinned to the manifest: how an index's images are pushed. */
    private static Reference byDigest(Target.Registry registry, RawManifest manifest) {
        return new Reference(registry.reference().registry(), registry.reference().repository(), null, manifest.digest());
    }

    private BuildResult.Publication publish(Target target, RawManifest manifest, ResolvedImage base, boolean byDigest,
                                            Telemetry telemetry) {
        if (target instanceof Target.Registry registry) {
            return new RegistryPublisher(store, resolver, new RegistryClient(transport, telemetry), transfers, telemetry)
                    .publish(byDigest ? byDigest(registry, manifest) : registry.reference(), manifest, base);
        }
        if (base != null) {
            Futures.joinAll(base.parsedManifest().layers().stream()
                    .map(l -> CompletableFuture.supplyAsync(() -> resolver.ensureLayer(base, l, telemetry), transfers))
                    .toList());
        }
        var parsed = manifest.asManifest();
        if (target instanceof Target.OciLayout layout) {
            new OciLayoutWriter().write(layout.directory(), layout.tag(), manifest, parsed.blobs(), store.blobs()::open);
            return BuildResult.Publication.LOCAL;
        }
        byte[] config = store.blobs().readSmall(parsed.config().digest(), Integer.MAX_VALUE).orElseThrow();
        if (target instanceof Target.DockerArchive archive) {
            new DockerArchiveWriter().write(archive.file(), DockerArchiveWriter.repoTag(archive.name()), manifest, config,
                    parsed.layers(), store.blobs()::open);
        } else if (target instanceof Target.DockerDaemon engine) {
            daemons.get().loadImage(engine.name(), manifest, config, store.blobs()::open, transfers);
        }
        return BuildResult.Publication.LOCAL;
    }

    private static String describe(LayerSource source) {
        return fileName(source.source().toString()) + " → " + source.destination();
    }

    private static String fileName(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
