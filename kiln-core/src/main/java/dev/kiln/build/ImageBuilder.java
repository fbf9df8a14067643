package dev.kiln.build;

import dev.kiln.archive.DockerArchiveWriter;
import dev.kiln.archive.OciLayoutWriter;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.RawManifest;
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

    public ImageBuilder(LocalStore store, Resolver resolver, RegistryTransport transport, ExecutorService transfers) {
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
                () -> resolver.resolve(new PullSpec(spec.base(), spec.platform(), spec.policy(), spec.maxAge(), false), telemetry),
                r -> r.digest().shortHex() + " from " + r.source() + " (" + r.decision() + ")");
    }

    /** {@link #build(BuildSpec, Telemetry)} on a base already resolved with {@link #resolveBase} (null: resolve it here). */
    public BuildResult build(BuildSpec spec, ResolvedImage resolvedBase, Telemetry telemetry) {
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
            BuildResult.Publication publication = telemetry.step("publish", target, () -> publish(spec.target(), manifest, base, telemetry),
                    p -> p.uploaded() + " uploaded (" + p.bytesUploaded() + " B), " + p.skipped() + " already there, "
                            + p.mounted() + " mounted");
            String published = spec.target() instanceof Target.Registry registry
                    ? registry.reference().withDigest(manifest.digest()).toString() : target;
            return new BuildResult(published, manifest.digest(), manifest.descriptor(), base, layers, publication);
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
        store.blobs().put(config);
        List<Descriptor> allLayers = new ArrayList<>();
        if (base != null) {
            base.parsedManifest().layers().forEach(l -> allLayers.add(asOci(l)));
        }
        layers.forEach(l -> allLayers.add(l.descriptor()));
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

    private BuildResult.Publication publish(Target target, RawManifest manifest, ResolvedImage base, Telemetry telemetry) {
        if (target instanceof Target.Registry registry) {
            return new RegistryPublisher(store, resolver, new RegistryClient(transport, telemetry), transfers, telemetry)
                    .publish(registry.reference(), manifest, base);
        }
        if (base != null) {
            Futures.joinAll(base.parsedManifest().layers().stream()
                    .map(l -> CompletableFuture.supplyAsync(() -> resolver.ensureLayer(base, l, telemetry), transfers))
                    .toList());
        }
        var parsed = manifest.asManifest();
        if (target instanceof Target.OciLayout layout) {
            new OciLayoutWriter().write(layout.directory(), layout.tag(), manifest, parsed.blobs(), store.blobs()::open);
        } else if (target instanceof Target.DockerArchive archive) {
            byte[] config = store.blobs().readSmall(parsed.config().digest(), Integer.MAX_VALUE).orElseThrow();
            new DockerArchiveWriter().write(archive.file(), DockerArchiveWriter.repoTag(archive.name()), manifest, config,
                    parsed.layers(), store.blobs()::open);
        }
        return BuildResult.Publication.LOCAL;
    }

    /** Docker's layer media types name the same bytes as OCI's; an OCI manifest lists them in OCI terms. */
    private static Descriptor asOci(Descriptor layer) {
        String type = switch (layer.mediaType()) {
            case MediaTypes.DOCKER_LAYER_GZIP -> MediaTypes.OCI_LAYER_GZIP;
            case "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" -> "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
            default -> layer.mediaType();
        };
        return new Descriptor(type, layer.digest(), layer.size(), null, layer.annotations(), layer.urls(), null);
    }

    private static String describe(LayerSource source) {
        return fileName(source.source().toString()) + " → " + source.destination();
    }

    private static String fileName(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
