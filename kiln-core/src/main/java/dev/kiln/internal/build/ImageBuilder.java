package dev.kiln.internal.build;

import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageIndex;
import dev.kiln.image.Manifest;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.RawManifest;
import dev.kiln.internal.layer.ContentDigests;
import dev.kiln.internal.layer.LayerResult;
import dev.kiln.internal.layer.LayerSource;
import dev.kiln.internal.layer.LayerWriter;
import dev.kiln.internal.resolve.Futures;
import dev.kiln.internal.resolve.PullSpec;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.BlobStore;
import dev.kiln.internal.store.FileDigestCache;
import dev.kiln.internal.store.LayerCache;
import dev.kiln.internal.store.LocalStore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The steps that make an image in the store, for the {@link BuildRunner}: resolve a base, build (or
 * reuse) application layers, derive config and manifest, make an index of several images. Nothing
 * here publishes: that is a {@link ImageSink}'s job.
 */
final class ImageBuilder {
    private static final String BASE_NAME = "org.opencontainers.image.base.name";
    private static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

    private final LocalStore store;
    private final Resolver resolver;
    private final ExecutorService transfers;

    ImageBuilder(BuildContext context) {
        this.store = context.store();
        this.resolver = context.resolver();
        this.transfers = context.transfers();
    }

    /** Resolves {@code spec}'s base (store-first, under its freshness), as one build step. */
    ResolvedImage resolveBase(BuildSpec spec, Telemetry telemetry) {
        return telemetry.step("resolve base", spec.base().toString(),
                () -> resolver.resolve(new PullSpec(spec.base(), spec.platform(), spec.policy(), spec.maxAge(), false, spec.staleness()),
                        telemetry),
                r -> r.digest().shortHex() + " from " + r.source() + " (" + r.decision() + ")");
    }

    /**
     * Starts building (or reusing) {@code spec}'s layers, in parallel on the transfer pool, the last one
     * first: layers go from the least to the most often changing (a Flink job's jar comes after its 69
     * libraries), so the one most likely to be built rather than reused starts at once instead of
     * queueing behind the others' cache lookups.
     */
    List<CompletableFuture<BuildResult.AppLayer>> startLayers(BuildSpec spec, Telemetry telemetry) {
        int count = spec.layers().size();
        List<CompletableFuture<BuildResult.AppLayer>> builds = new ArrayList<>(Collections.nCopies(count, null));
        for (int i = count - 1; i >= 0; i--) {
            LayerSource source = spec.layers().get(i);
            String name = "layer " + (i + 1) + "/" + count;
            builds.set(i, Futures.async(() -> telemetry.step(name, describe(source),
                    () -> buildLayer(spec, source, telemetry),
                    l -> (l.cached() ? "reused " : "built ") + l.descriptor().digest().shortHex() + ", " + l.descriptor().size() + " B"),
                    transfers));
        }
        return builds;
    }

    private BuildResult.AppLayer buildLayer(BuildSpec spec, LayerSource source, Telemetry telemetry) {
        LayerWriter writer = new LayerWriter(spec.time(), spec.compression());
        Digest fingerprint;
        if (source.prepared() != null) {
            // a prepared layer's files (a RUN's scratch, or libraries gathered from several places) are
            // hashed, never remembered under the source's path, which another source may be named after
            fingerprint = writer.fingerprint(source, ContentDigests.ALWAYS_HASH);
        } else {
            try (FileDigestCache digests = store.fileDigests(source.source())) {
                fingerprint = writer.fingerprint(source, digests);
            }
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

    /** The image's config (the base's, with {@code spec}'s changes and layers) and manifest, stored. */
    RawManifest writeImage(BuildSpec spec, ResolvedImage base, List<BuildResult.AppLayer> layers) {
        List<ConfigEditor.AddedLayer> added = layers.stream()
                .map(l -> new ConfigEditor.AddedLayer(l.diffId(), "kiln add " + fileName(l.source()) + " " + l.destination()))
                .toList();
        byte[] config = ConfigEditor.edit(base == null ? null : base.configBytes(), spec.platform(), spec.changes(), added, spec.time());
        return storeImage(config, base, layers.stream().map(BuildResult.AppLayer::descriptor).toList());
    }

    /** Stores {@code config} and an OCI manifest of the base's layers, then {@code appLayers}, naming the base. */
    RawManifest storeImage(byte[] config, ResolvedImage base, List<Descriptor> appLayers) {
        store.blobs().put(config);
        List<Descriptor> allLayers = new ArrayList<>();
        if (base != null) {
            base.parsedManifest().layers().forEach(l -> allLayers.add(l.asOciLayer()));
        }
        allLayers.addAll(appLayers);
        Map<String, String> annotations = base == null ? Map.of()
                : Map.of(BASE_DIGEST, base.digest().toString(), BASE_NAME, base.reference().toString());
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, null,
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length), allLayers, null, annotations);
        return storeManifest(RawManifest.written(manifest));
    }

    /** An OCI index of {@code images} (each with its platform), stored. */
    RawManifest storeIndex(List<BuildResult> images) {
        ImageIndex index = new ImageIndex(2, MediaTypes.OCI_INDEX,
                images.stream().map(image -> image.manifest().withPlatform(image.platform())).toList(), null);
        return storeManifest(RawManifest.written(index));
    }

    private RawManifest storeManifest(RawManifest raw) {
        store.blobs().put(raw.bytes());
        return raw;
    }

    private static String describe(LayerSource source) {
        return fileName(source.source().toString()) + " → " + source.destination();
    }

    private static String fileName(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
