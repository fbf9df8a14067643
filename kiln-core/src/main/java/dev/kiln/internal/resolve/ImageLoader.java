package dev.kiln.internal.resolve;

import dev.kiln.error.PlatformNotFoundException;
import dev.kiln.error.RegistryException;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageConfig;
import dev.kiln.image.ImageIndex;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.store.LocalStore;
import dev.kiln.internal.store.RefRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * From a reference's top-level document to one platform's manifest and config: read from the store,
 * fetched through the operation's sources only when missing (and never under policy {@code never}),
 * noting what had to be fetched so that the build log can say so. Also how records are written.
 */
final class ImageLoader {
    private final LocalStore store;

    ImageLoader(LocalStore store) {
        this.store = store;
    }

    /** A platform's manifest and config, with the decision that led to them and what had to be fetched. */
    record Loaded(PullSpec spec, Resolver.Top top, RawManifest manifest, byte[] configBytes, ImageConfig config,
                  List<String> fetched, Resolver.Sources sources) {
    }

    Loaded load(PullSpec spec, Resolver.Top top, Optional<RefRecord> record, Resolver.Sources sources) {
        Reference ref = spec.reference();
        List<String> fetched = new ArrayList<>();
        Digest manifestDigest = platformManifest(spec, top.raw(), record);
        RawManifest manifest = store.manifest(manifestDigest).orElseGet(() -> {
            offlineCheck(spec, "its manifest " + manifestDigest.shortHex());
            fetched.add(spec.platform() + " manifest " + shortDigest(manifestDigest));
            return fetch(ref.withDigest(manifestDigest), sources);
        });
        if (manifest.isIndex()) {
            throw new PlatformNotFoundException("image " + ref + " nests an index inside an index; Kiln does not follow nested indexes");
        }
        Descriptor configDescriptor = manifest.asManifest().config();
        byte[] configBytes = loadConfig(spec, configDescriptor, sources, fetched);
        ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config of " + ref);
        if (!top.raw().isIndex() && config.os() != null && !spec.platform().matches(config.platform())) {
            throw new PlatformNotFoundException("image " + ref + " is " + config.platform() + " only; requested "
                    + spec.platform() + " (choose it with --platform " + config.platform() + ")");
        }
        return new Loaded(spec, top, manifest, configBytes, config, List.copyOf(fetched), sources);
    }

    /** Fetches the manifest or index {@code ref} names and stores it. */
    RawManifest fetch(Reference ref, Resolver.Sources sources) {
        RawManifest raw = sources.chain().manifest(ref);
        store.blobs().put(raw.bytes());
        return raw;
    }

    private Digest platformManifest(PullSpec spec, RawManifest top, Optional<RefRecord> record) {
        if (!top.isIndex()) {
            return top.digest();
        }
        Optional<Digest> known = record.filter(r -> r.digest().equals(top.digest()))
                .flatMap(r -> r.platform(spec.platform())).map(RefRecord.PlatformEntry::manifest);
        if (known.isPresent()) {
            return known.get();
        }
        ImageIndex index = top.asIndex();
        if (index.images().isEmpty() && index.manifests().stream().anyMatch(d -> MediaTypes.isIndex(d.mediaType()))) {
            throw new PlatformNotFoundException("image " + spec.reference() + " nests an index inside an index; "
                    + "Kiln does not follow nested indexes");
        }
        return index.select(spec.platform()).map(Descriptor::digest).orElseThrow(() -> new PlatformNotFoundException(
                "image " + spec.reference() + " has no " + spec.platform() + " variant; available: "
                        + index.platforms().stream().map(Platform::toString).distinct().collect(Collectors.joining(", "))));
    }

    private byte[] loadConfig(PullSpec spec, Descriptor config, Resolver.Sources sources, List<String> fetched) {
        Reference ref = spec.reference();
        if (config.size() > ImageJson.MAX_CONFIG_BYTES) {
            // refused before a byte is fetched: a config is read whole into memory
            throw new RegistryException("the config of " + ref + " is " + config.size() + " bytes, above Kiln's limit of "
                    + ImageJson.MAX_CONFIG_BYTES + "; refusing it");
        }
        Optional<byte[]> cached = store.blobs().readSmall(config.digest(), ImageJson.MAX_CONFIG_BYTES);
        if (cached.isPresent()) {
            return cached.get();
        }
        offlineCheck(spec, "its config " + config.digest().shortHex());
        fetched.add("config " + shortDigest(config.digest()));
        store.blobs().ensure(config.digest(), config.size(), writer -> sources.chain().fetchBlob(ref, config, writer));
        return store.blobs().readSmall(config.digest(), ImageJson.MAX_CONFIG_BYTES).orElseThrow();
    }

    private static void offlineCheck(PullSpec spec, String what) {
        if (spec.policy() == PullPolicy.NEVER) {
            throw Resolver.notCached(spec.reference(), what + " is not in the local store");
        }
    }

    /**
     * What a cached image still lacked, in the build log's words ({@code cached manifest, 2 of 3 layers
     * missing: fetching sha256:…}); empty when it lacked nothing.
     */
    static String lacking(RawManifest top, List<String> fetched, List<Descriptor> missingLayers, int layers) {
        List<String> parts = new ArrayList<>();
        if (!fetched.isEmpty()) {
            parts.add("fetched its " + String.join(" and ", fetched));
        }
        if (!missingLayers.isEmpty()) {
            parts.add(missingLayers.size() + " of " + layers + " layers missing: fetching "
                    + missingLayers.stream().map(l -> shortDigest(l.digest())).collect(Collectors.joining(", ")));
        }
        return parts.isEmpty() ? "" : "cached " + (top.isIndex() ? "index" : "manifest") + ", " + String.join("; ", parts);
    }

    /** {@code sha256:} and the first 12 hex characters, as the build log names blobs. */
    static String shortDigest(Digest digest) {
        return digest.algorithm() + ":" + digest.shortHex();
    }

    /** A record of {@code ref} naming {@code top}, fetched and checked {@code now}, with no platform yet. */
    static RefRecord newRecord(Reference ref, RawManifest top, Instant now) {
        return new RefRecord(ref.toString(), top.digest(), top.mediaType(), now, now, Map.of());
    }

    /** {@code current} updated for one use of {@code platform}'s manifest under {@code top}. */
    static RefRecord recordUse(Optional<RefRecord> current, Reference ref, Platform platform, Resolver.Top top, Digest manifestDigest,
                               String source, Instant now) {
        RefRecord base = current.filter(r -> r.digest().equals(top.raw().digest())).orElseGet(() -> newRecord(ref, top.raw(), now));
        if (top.fresh()) {
            base = base.checked(now);
        }
        Optional<RefRecord.PlatformEntry> same = base.platform(platform).filter(e -> e.manifest().equals(manifestDigest));
        Instant fetchedAt = same.map(RefRecord.PlatformEntry::fetchedAt).orElse(now);
        // served from the store this time: it keeps the source it was fetched from
        String fetchedFrom = source.equals("cache") ? same.map(RefRecord.PlatformEntry::source).orElse(null) : source;
        return base.withPlatform(platform, new RefRecord.PlatformEntry(manifestDigest, fetchedAt, now, fetchedFrom));
    }
}
