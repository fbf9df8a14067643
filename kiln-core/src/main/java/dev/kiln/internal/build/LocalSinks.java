package dev.kiln.internal.build;

import dev.kiln.internal.archive.DockerArchiveWriter;
import dev.kiln.internal.archive.OciLayoutWriter;
import dev.kiln.internal.daemon.DockerDaemon;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Manifest;
import dev.kiln.image.RawManifest;
import dev.kiln.internal.resolve.Futures;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.store.LocalStore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The sinks on this machine: an OCI image layout, a {@code docker load} tar, a Docker engine. Each
 * reads every blob from the store, so the base's layers are fetched into it first (in parallel); they
 * differ only in how one image (and, for a layout, an index) is written.
 */
final class LocalSinks implements ImageSink {
    /** Writes one image (or index, with the images it lists) whose blobs are all in the store. */
    private interface Writer {
        void write(RawManifest manifest, List<Descriptor> blobs);
    }

    private final BuildContext context;
    private final String name;
    private final Writer writer;
    private final boolean holdsIndex;

    private LocalSinks(BuildContext context, Target target, boolean holdsIndex, Writer writer) {
        this.context = context;
        this.name = target.toString();
        this.holdsIndex = holdsIndex;
        this.writer = writer;
    }

    /**
     * An OCI image layout: one image, or an index whose {@code index.json} descriptor (tagged) points at the
     * image index blob listing the platforms' manifests, as skopeo and Buildah write a multi-platform layout.
     */
    static ImageSink ociLayout(BuildContext context, Target.OciLayout layout) {
        return new LocalSinks(context, layout, true,
                (manifest, blobs) -> new OciLayoutWriter().write(layout.directory(), layout.tag(), manifest, blobs, context.store().blobs()::open));
    }

    /** A {@code docker load} tar, the image named inside as the target says. */
    static ImageSink dockerArchive(BuildContext context, Target.DockerArchive archive) {
        return new LocalSinks(context, archive, false, (manifest, blobs) -> new DockerArchiveWriter().write(
                archive.file(), DockerArchiveWriter.repoTag(archive.name()), manifest, config(context.store(), manifest.asManifest()),
                manifest.asManifest().layers(), context.store().blobs()::open));
    }

    /** A Docker (or Podman) engine, which {@code docker load}s the image streamed from the store. */
    static ImageSink daemon(BuildContext context, Supplier<DockerDaemon> daemons, Target.DockerDaemon engine) {
        DockerDaemon daemon = daemons.get();   // before any work: without engine support on the class path, say so now
        return new LocalSinks(context, engine, false, (manifest, blobs) -> daemon.loadImage(engine.name(),
                manifest, config(context.store(), manifest.asManifest()), context.store().blobs()::open, context.transfers()));
    }

    private static byte[] config(LocalStore store, Manifest parsed) {
        return store.blobs().readSmall(parsed.config().digest(), Integer.MAX_VALUE).orElseThrow();
    }

    @Override
    public BuildResult.Publication putImage(RawManifest manifest, ResolvedImage base, boolean inIndex, Telemetry telemetry) {
        if (base != null) {
            Futures.joinAll(base.parsedManifest().layers().stream()
                    .map(l -> Futures.async(() -> context.resolver().ensureLayer(base, l, telemetry), context.transfers()))
                    .toList());
        }
        if (!inIndex) { // an index's images are written with it, so that its tag appears only when all are in place
            writer.write(manifest, manifest.asManifest().blobs());
        }
        return BuildResult.Publication.LOCAL;
    }

    @Override
    public BuildResult.Publication putIndex(RawManifest index, List<RawManifest> images, Telemetry telemetry) {
        if (!holdsIndex) {
            throw new IllegalStateException(name + " holds one image, not an index"); // the runner checks holdsIndex() first
        }
        List<Descriptor> blobs = new ArrayList<>();
        for (RawManifest image : images) {
            blobs.addAll(image.asManifest().blobs());
            blobs.add(image.descriptor()); // after its blobs: a manifest never lands before what it names
        }
        writer.write(index, blobs);
        return BuildResult.Publication.PUT;
    }

    @Override
    public boolean holdsIndex() {
        return holdsIndex;
    }

    @Override
    public String published(RawManifest manifest, boolean inIndex) {
        return name;
    }
}
