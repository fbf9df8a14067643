package dev.kiln.api;

import dev.kiln.internal.build.Built;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.ImageConfig;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.store.StoreCollector;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The API's result values made from the engine's: the one place that knows both shapes. */
final class Results {
    private Results() {
    }

    static PullResult pull(Resolver.Pulled pulled, Telemetry telemetry) {
        ResolvedImage image = pulled.image();
        return new PullResult(image.reference().toString(), image.digest().toString(), indexDigest(image),
                image.platform().toString(), image.source(), image.decision(), telemetry.requests(),
                telemetry.bytesDownloaded(), telemetry.elapsed(), pulled.layersFetched(), pulled.layersCached(),
                layers(image));
    }

    static ImageInfo inspect(ResolvedImage image, Telemetry telemetry) {
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

    /** One image, or an index of several: base and layers are the first image's, blob counts the sum. */
    static BuildResult build(Built built, Telemetry telemetry) {
        List<dev.kiln.internal.build.BuildResult> images = built.images();
        dev.kiln.internal.build.BuildResult first = images.get(0);
        ResolvedImage base = first.base();
        List<dev.kiln.internal.build.BuildResult.Publication> published = images.stream().map(dev.kiln.internal.build.BuildResult::publish).toList();
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

    static CachedImage cachedImage(StoreCollector.CachedImage image) {
        return new CachedImage(image.reference(), image.platform(), image.manifest().toString(), image.size(),
                image.fetchedAt(), image.checkedAt(), image.lastUsed(), image.source());
    }

    static PruneResult prune(StoreCollector.PruneReport report) {
        return new PruneResult(report.removedImages().stream().map(Results::cachedImage).toList(), report.blobsRemoved(),
                report.bytesBefore(), report.bytesAfter(), report.dryRun());
    }
}
