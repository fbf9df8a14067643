package dev.kiln.internal.daemon;

import dev.kiln.error.DaemonException;
import dev.kiln.error.DigestMismatchException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageConfig;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Manifest;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.store.BlobStore;
import dev.kiln.internal.store.LocalStore;
import dev.kiln.internal.store.RefRecord;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker daemon as a cache level below the local store: an image the engine holds under exactly
 * the reference, for the platform asked, is imported into the store. Layers the store already has
 * (same diff_id, from any image) are reused and need no {@code docker save}; the rest are read from
 * one {@code docker save} stream, stored uncompressed (their digest is their diff_id, checked as they
 * stream). The manifest is Kiln's own (OCI) over the engine's config, whose digest is the engine's
 * image ID.
 */
public final class DaemonLevel {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private final Supplier<DockerDaemon> engine;
    private final LocalStore store;

    /** {@code engine}: connected on first use, so that builds the store serves never load the client. */
    public DaemonLevel(Supplier<DockerDaemon> engine, LocalStore store) {
        this.engine = engine;
        this.store = store;
    }

    public String host() {
        return engine.get().host();
    }

    /**
     * Imports {@code ref} (a tag) for {@code platform} from the engine into the store and returns the
     * manifest written for it; empty when the engine has no image of exactly that name and platform,
     * or cannot be reached (a warning: the next level serves). The caller holds a store lease.
     */
    public Optional<RawManifest> importImage(Reference ref, Platform platform, Telemetry telemetry) {
        DockerDaemon daemon = engine.get();
        try {
            Optional<DaemonImage> found = daemon.find(ref);
            if (found.isEmpty()) {
                telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), "daemon-miss",
                        "the Docker daemon at " + daemon.host() + " has no image named exactly " + DockerDaemon.fullName(ref)));
                return Optional.empty();
            }
            DaemonImage image = found.get();
            Platform has = Platform.of(image.os(), image.arch(), platform.normalized().variant());
            if (!platform.matches(has)) {
                telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), "daemon-miss", "the Docker daemon's "
                        + DockerDaemon.fullName(ref) + " is " + image.os() + "/" + image.arch() + ", not " + platform));
                return Optional.empty();
            }
            return importFound(ref, platform, image, telemetry);
        } catch (DaemonException e) {
            telemetry.emit(new KilnEvent.Warning(e.getMessage() + "; skipping the daemon level"));
            return Optional.empty();
        }
    }

    private Optional<RawManifest> importFound(Reference ref, Platform platform, DaemonImage image, Telemetry telemetry) {
        DockerDaemon daemon = engine.get();
        Map<Digest, Descriptor> layers = storedLayers();
        Optional<byte[]> storedConfig = store.blobs().readSmall(image.id(), ImageJson.MAX_CONFIG_BYTES);
        long missing = image.diffIds().stream().filter(d -> !layers.containsKey(d)).count();
        boolean saved = storedConfig.isEmpty() || missing > 0;
        if (saved) {
            readSave(image, layers);
        }
        byte[] configBytes = (saved ? store.blobs().readSmall(image.id(), ImageJson.MAX_CONFIG_BYTES) : storedConfig)
                .orElseThrow(() -> new DaemonException("docker save of " + image.name() + " did not contain its config " + image.id()));
        ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config of " + image.name() + " in the Docker daemon");
        if (config.os() != null && !platform.matches(config.platform())) {
            telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), "daemon-miss", "the Docker daemon's "
                    + image.name() + " is " + config.platform() + ", not " + platform));
            return Optional.empty();
        }
        List<Digest> diffIds = config.diffIds();
        List<Descriptor> manifestLayers = diffIds.stream().map(diffId -> Optional.ofNullable(layers.get(diffId))
                .orElseThrow(() -> new DaemonException("docker save of " + image.name() + " did not contain its layer " + diffId)))
                .toList();
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, null,
                Descriptor.of(MediaTypes.OCI_CONFIG, image.id(), configBytes.length), manifestLayers.stream().map(Descriptor::asOciLayer).toList(),
                null, null);
        RawManifest raw = RawManifest.of(ImageJson.write(manifest), MediaTypes.OCI_MANIFEST);
        store.blobs().put(raw.bytes());
        telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), "imported", "from the Docker daemon at " + daemon.host()
                + " (image " + image.id().shortHex() + "): " + (diffIds.size() - missing) + " layers already in the store, "
                + (saved ? missing + " read from docker save" : "no docker save")));
        return Optional.of(raw);
    }

    /**
     * Every layer the store holds for any recorded image, by diff_id: the blobs a daemon image made of
     * the same layers can reuse.
     */
    private Map<Digest, Descriptor> storedLayers() {
        Set<Digest> manifests = new HashSet<>();
        for (RefRecord record : store.records().list()) {
            manifests.add(record.digest());
            record.platforms().values().forEach(entry -> manifests.add(entry.manifest()));
        }
        Map<Digest, Descriptor> byDiffId = new HashMap<>();
        manifests.forEach(digest -> store.manifest(digest).filter(m -> !m.isIndex()).ifPresent(m -> addLayers(m.asManifest(), byDiffId)));
        return byDiffId;
    }

    private void addLayers(Manifest manifest, Map<Digest, Descriptor> byDiffId) {
        store.blobs().readSmall(manifest.config().digest(), ImageJson.MAX_CONFIG_BYTES).ifPresent(bytes -> {
            List<Digest> diffIds = ImageJson.read(bytes, ImageConfig.class, "image config " + manifest.config().digest().shortHex())
                    .diffIds();
            for (int i = 0; i < Math.min(diffIds.size(), manifest.layers().size()); i++) {
                Descriptor layer = manifest.layers().get(i);
                if (store.blobs().isVerified(layer.digest())) {
                    byDiffId.putIfAbsent(diffIds.get(i), layer);
                }
            }
        });
    }

    /**
     * Reads one {@code docker save} stream: the config (checked against the image ID) and each layer
     * the store lacks, stored as it streams, uncompressed, so that its digest is its diff_id and is
     * checked on the way. Entry names differ between engines ({@code <diff_id>.tar},
     * {@code blobs/sha256/<hex>}, {@code <id>/layer.tar}), so content decides, not names.
     */
    private void readSave(DaemonImage image, Map<Digest, Descriptor> layers) {
        DockerDaemon daemon = engine.get();
        try (InputStream saved = daemon.save(image.name()); TarArchiveInputStream tar = new TarArchiveInputStream(saved)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (!entry.isFile() || entry.isSymbolicLink() || entry.isLink()) {
                    continue;   // commons-compress counts links as files; their content is elsewhere in the stream
                }
                Matcher hex = HEX.matcher(entry.getName());
                String named = hex.find() ? hex.group() : "";
                if (named.equals(image.id().hex())) {
                    byte[] config = tar.readNBytes(ImageJson.MAX_CONFIG_BYTES + 1);
                    if (!Digest.sha256(config).equals(image.id())) {
                        throw new DigestMismatchException("docker save of " + image.name() + ": config " + entry.getName()
                                + " does not match the image ID " + image.id());
                    }
                    store.blobs().put(config);
                } else if (isLayer(entry.getName(), named, image) && layers.keySet().stream().noneMatch(d -> d.hex().equals(named))) {
                    importLayer(tar, image, layers);
                }
            }
        } catch (IOException e) {
            throw new DaemonException("cannot read docker save of " + image.name() + " from " + daemon.host() + ": " + e.getMessage(), e);
        }
    }

    private static boolean isLayer(String entryName, String namedHex, DaemonImage image) {
        return image.diffIds().stream().anyMatch(d -> d.hex().equals(namedHex)) || entryName.endsWith("/layer.tar");
    }

    /**
     * One layer, uncompressed (an OCI {@code tar} layer): compressing a base that is already on this
     * machine would cost more time (measured: ~17 s for the 440 MB of a Flink base on 2 cores) than it saves.
     */
    private void importLayer(InputStream tar, DaemonImage image, Map<Digest, Descriptor> layers) {
        BlobStore.Written written = store.blobs().write(tar::transferTo);
        if (!image.diffIds().contains(written.digest())) {
            // the blob stays unreferenced, for the next prune
            throw new DigestMismatchException("docker save of " + image.name() + " held a layer " + written.digest().shortHex()
                    + " that its image does not list");
        }
        layers.putIfAbsent(written.digest(), Descriptor.of(MediaTypes.OCI_LAYER_TAR, written.digest(), written.size()));
    }
}
