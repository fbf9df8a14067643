package dev.kiln.build;

import dev.kiln.archive.DockerArchiveWriter;
import dev.kiln.archive.OciLayoutWriter;
import dev.kiln.daemon.DockerDaemon;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Manifest;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.resolve.Futures;
import dev.kiln.resolve.ResolvedImage;
import dev.kiln.resolve.Resolver;
import dev.kiln.store.LocalStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The sinks on this machine: an OCI image layout, a {@code docker load} tar, a Docker engine. Each
 * reads every blob from the store, so the base's layers are fetched into it first (in parallel).
 */
final class LocalSinks {
    private LocalSinks() {
    }

    /** What the local sinks share: the store, and base layers made present in it before an image is written. */
    private abstract static class LocalSink implements ImageSink {
        final LocalStore store;
        private final Resolver resolver;
        final ExecutorService transfers;
        private final String name;

        LocalSink(LocalStore store, Resolver resolver, ExecutorService transfers, String name) {
            this.store = store;
            this.resolver = resolver;
            this.transfers = transfers;
            this.name = name;
        }

        @Override
        public final BuildResult.Publication putImage(RawManifest manifest, ResolvedImage base, boolean inIndex, Telemetry telemetry) {
            if (base != null) {
                Futures.joinAll(base.parsedManifest().layers().stream()
                        .map(l -> CompletableFuture.supplyAsync(() -> resolver.ensureLayer(base, l, telemetry), transfers))
                        .toList());
            }
            if (!inIndex) {
                write(manifest, manifest.asManifest());
            }
            return BuildResult.Publication.LOCAL;
        }

        @Override
        public BuildResult.Publication putIndex(RawManifest index, List<RawManifest> images, Telemetry telemetry) {
            throw new IllegalStateException(name + " holds one image, not an index"); // the runner checks holdsIndex() first
        }

        @Override
        public boolean holdsIndex() {
            return false;
        }

        @Override
        public String published(RawManifest manifest, boolean inIndex) {
            return name;
        }

        /** Writes one image whose blobs are all in the store. */
        abstract void write(RawManifest manifest, Manifest parsed);

        byte[] config(Manifest parsed) {
            return store.blobs().readSmall(parsed.config().digest(), Integer.MAX_VALUE).orElseThrow();
        }
    }

    /** An OCI image layout: one image, or an index with its platforms' images, tagged in {@code index.json}. */
    static final class OciLayout extends LocalSink {
        private final Path directory;
        private final String tag;

        OciLayout(LocalStore store, Resolver resolver, ExecutorService transfers, Target.OciLayout target) {
            super(store, resolver, transfers, target.toString());
            this.directory = target.directory();
            this.tag = target.tag();
        }

        @Override
        void write(RawManifest manifest, Manifest parsed) {
            new OciLayoutWriter().write(directory, tag, manifest, parsed.blobs(), store.blobs()::open);
        }

        @Override
        public boolean holdsIndex() {
            return true;
        }

        /**
         * {@code index.json} gets one descriptor tagged {@code tag} for the image index blob, which lists the
         * platforms' manifests (as skopeo and Buildah write a multi-platform layout); one write, so the tag
         * appears only when every platform's blobs are in place.
         */
        @Override
        public BuildResult.Publication putIndex(RawManifest index, List<RawManifest> images, Telemetry telemetry) {
            List<Descriptor> blobs = new ArrayList<>();
            for (RawManifest image : images) {
                blobs.addAll(image.asManifest().blobs());
                blobs.add(image.descriptor()); // after its blobs: a manifest never lands before what it names
            }
            new OciLayoutWriter().write(directory, tag, index, blobs, store.blobs()::open);
            return BuildResult.Publication.PUT;
        }
    }

    /** A {@code docker load} tar, the image named {@code name} inside. */
    static final class DockerArchive extends LocalSink {
        private final Path file;
        private final Reference imageName;

        DockerArchive(LocalStore store, Resolver resolver, ExecutorService transfers, Target.DockerArchive target) {
            super(store, resolver, transfers, target.toString());
            this.file = target.file();
            this.imageName = target.name();
        }

        @Override
        void write(RawManifest manifest, Manifest parsed) {
            new DockerArchiveWriter().write(file, DockerArchiveWriter.repoTag(imageName), manifest, config(parsed), parsed.layers(),
                    store.blobs()::open);
        }
    }

    /** A Docker (or Podman) engine, which {@code docker load}s the image streamed from the store. */
    static final class Daemon extends LocalSink {
        private final Supplier<DockerDaemon> daemons;
        private final Reference imageName;

        Daemon(LocalStore store, Resolver resolver, ExecutorService transfers, Supplier<DockerDaemon> daemons, Target.DockerDaemon target) {
            super(store, resolver, transfers, target.toString());
            this.daemons = daemons;
            this.imageName = target.name();
        }

        @Override
        void write(RawManifest manifest, Manifest parsed) {
            daemons.get().loadImage(imageName, manifest, config(parsed), store.blobs()::open, transfers);
        }
    }
}
