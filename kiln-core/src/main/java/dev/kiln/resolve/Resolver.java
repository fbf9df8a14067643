package dev.kiln.resolve;

import dev.kiln.daemon.DaemonLevel;
import dev.kiln.error.NotCachedException;
import dev.kiln.error.PlatformNotFoundException;
import dev.kiln.error.RegistryException;
import dev.kiln.event.Durations;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
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
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryTransport;
import dev.kiln.store.Lease;
import dev.kiln.store.LocalStore;
import dev.kiln.store.RefRecord;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Resolves base images store-first. The local store answers whenever the policy allows; otherwise
 * the registry is asked as little as possible (one HEAD to revalidate, then only what is missing),
 * and whatever it provides is verified and written back to the store with a record of
 * (reference, platform) → manifest digest.
 */
public final class Resolver {
    /** How results name the daemon level as their source. */
    private static final String DAEMON_SOURCE = "docker-daemon";

    private final LocalStore store;
    private final RegistryTransport transport;
    private final ExecutorService transfers;
    private final Clock clock;
    private final KilnListener listener;
    private final Set<CompletableFuture<Void>> background = ConcurrentHashMap.newKeySet();

    private final RegistryRules rules;
    private final DaemonLevel daemon;

    /**
     * {@code rules}: per registry (as references name it, e.g. {@code docker.io}), its mirrors in order;
     * {@code daemon}: a Docker engine asked before any registry, or {@code null}.
     */
    public Resolver(LocalStore store, RegistryTransport transport, ExecutorService transfers, Clock clock, KilnListener listener,
                    RegistryRules rules, DaemonLevel daemon) {
        this.rules = rules;
        this.daemon = daemon;
        this.store = store;
        this.transport = transport;
        this.transfers = transfers;
        this.clock = clock;
        this.listener = listener;
    }

    /** The result of a full pull: the image and what its layers cost. */
    public record Pulled(ResolvedImage image, int layersFetched, int layersCached) {
    }

    /** Resolves {@code spec} and makes sure every layer is in the store, downloading missing ones in parallel. */
    public Pulled pull(PullSpec spec, Telemetry telemetry) {
        try (Lease ignored = store.lease()) {
            Lazy origin = new Lazy(spec.reference(), telemetry);
            ResolvedImage image = resolve(spec, origin);
            List<Descriptor> layers = image.parsedManifest().layers();
            List<CompletableFuture<Boolean>> fetches = layers.stream()
                    .map(layer -> CompletableFuture.supplyAsync(() -> ensureBlob(image.reference(), layer, spec.verify(),
                            origin), transfers))
                    .toList();
            int fetched = (int) Futures.joinAll(fetches).stream().filter(Boolean::booleanValue).count();
            ResolvedImage done = new ResolvedImage(image.reference(), image.platform(), image.topDigest(), image.manifest(),
                    image.configBytes(), image.config(), origin.sourceName(), image.decision());
            return new Pulled(done, fetched, layers.size() - fetched);
        }
    }

    /**
     * Makes sure one layer of a resolved image is in the store, downloading it from the image's
     * registry only if it is not; for builds that need a base layer's bytes (and only then).
     * The caller holds a {@linkplain LocalStore#lease() store lease}. Returns whether it was fetched.
     */
    public boolean ensureLayer(ResolvedImage image, Descriptor layer, Telemetry telemetry) {
        return ensureBlob(image.reference(), layer, false, new Lazy(image.reference(), telemetry));
    }

    /** Resolves manifest and config for the platform, storing them; layers are left to the caller. */
    public ResolvedImage resolve(PullSpec spec, Telemetry telemetry) {
        try (Lease ignored = store.lease()) {
            return resolve(spec, new Lazy(spec.reference(), telemetry));
        }
    }

    private ResolvedImage resolve(PullSpec spec, Lazy origin) {
        Reference ref = spec.reference();
        Telemetry telemetry = origin.telemetry;
        Instant now = clock.instant();
        Optional<RefRecord> record = store.records().find(ref);

        Top top = resolveTop(spec, record, origin, now, telemetry);
        telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), top.outcome, top.reason));

        Digest manifestDigest = platformManifest(spec, top, record, origin);
        RawManifest manifest = load(ref, manifestDigest, spec.policy(), origin);
        if (manifest.isIndex()) {
            throw new PlatformNotFoundException("image " + ref + " nests an index inside an index; Kiln does not follow nested indexes");
        }
        Descriptor configDescriptor = manifest.asManifest().config();
        byte[] configBytes = loadConfig(ref, configDescriptor, spec.policy(), origin);
        ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config of " + ref);
        if (!top.raw.isIndex() && config.os() != null && !spec.platform().matches(config.platform())) {
            throw new PlatformNotFoundException("image " + ref + " is " + config.platform() + " only; requested "
                    + spec.platform() + " (choose it with --platform " + config.platform() + ")");
        }
        recordUse(ref, spec.platform(), top, manifestDigest, now);
        return new ResolvedImage(ref, spec.platform(), top.raw.digest(), manifest, configBytes, config, origin.sourceName(),
                top.outcome + ": " + top.reason);
    }

    /** The top-level document of the reference, and in words why it came from where it did. */
    private record Top(RawManifest raw, boolean fresh, String outcome, String reason) {
    }

    private Top resolveTop(PullSpec spec, Optional<RefRecord> record, Lazy origin, Instant now, Telemetry telemetry) {
        Reference ref = spec.reference();
        if (ref.isPinned()) {
            Optional<RawManifest> cached = store.manifest(ref.digest());
            if (cached.isPresent()) {
                return new Top(cached.get(), false, "hit", "pinned by digest: immutable, no request needed");
            }
            requireNetwork(spec, "not in the local store");
            return new Top(fetchTop(ref, origin), true, "miss", "pinned digest not in the local store; fetched from " + ref.registry());
        }
        Optional<RawManifest> cached = record.flatMap(r -> store.manifest(r.digest()));
        if (cached.isEmpty()) {
            String why = record.isPresent() ? "cached manifest missing or corrupt" : "not in the local store";
            Optional<RawManifest> fromDaemon = fromDaemon(spec, telemetry);
            if (fromDaemon.isPresent()) {
                origin.servedBy(DAEMON_SOURCE);
                return new Top(fromDaemon.get(), true, "daemon", why + "; imported from the Docker daemon at " + daemon.host());
            }
            requireNetwork(spec, why);
            return new Top(fetchTop(ref, origin), true, record.isPresent() ? "refetch" : "miss", why + "; fetched from " + ref.registry());
        }
        RefRecord current = record.get();
        Duration sinceCheck = Duration.between(current.checkedAt(), now);
        boolean beyondMaxStale = spec.staleness().exceeded(sinceCheck);
        switch (spec.policy()) {
            case NEVER -> {
                if (beyondMaxStale) {
                    throw notCached(ref, "it was last checked " + age(current.checkedAt(), now) + " ago, beyond max-stale "
                            + Durations.words(spec.staleness().maxStale()) + ", and policy never forbids checking it");
                }
                return new Top(cached.get(), false, "hit", "cached " + age(current.fetchedAt(), now) + " ago; policy never makes no request");
            }
            case IF_NOT_PRESENT -> {
                if (!beyondMaxStale) {
                    return new Top(cached.get(), false, "hit", "cached " + age(current.fetchedAt(), now) + " ago; policy "
                            + spec.policy() + " makes no request");
                }
            }
            case REVALIDATE, STALE_WHILE_REVALIDATE -> {
                if (sinceCheck.compareTo(spec.maxAge()) < 0 && !beyondMaxStale) {
                    return new Top(cached.get(), false, "hit", "checked " + age(current.checkedAt(), now)
                            + " ago, within max-age " + Durations.words(spec.maxAge()) + "; no request");
                }
                if (spec.policy() == PullPolicy.STALE_WHILE_REVALIDATE && !beyondMaxStale) {
                    revalidateInBackground(ref, current.digest());
                    return new Top(cached.get(), false, "stale", "checked " + age(current.checkedAt(), now)
                            + " ago, past max-age " + Durations.words(spec.maxAge()) + "; used now, checked in the background");
                }
            }
            case ALWAYS -> { }
        }
        Optional<Descriptor> head;
        try {
            head = origin.source().head(ref);
        } catch (RegistryException e) {
            // an answer about the image itself (gone, not allowed) is never masked; an outage may be
            if (!spec.staleness().staleIfError() || beyondMaxStale || e.isAuthentication() || e.isNotFound()) {
                throw e;
            }
            String message = ref.registry() + " is unreachable (" + e.getMessage() + "); using the cached " + current.digest().shortHex()
                    + ", last checked " + age(current.checkedAt(), now) + " ago (stale-if-error)";
            telemetry.emit(new KilnEvent.Warning(message));
            return new Top(cached.get(), false, "stale", message);
        }
        if (head.isPresent() && head.get().digest().equals(current.digest())) {
            store.records().update(ref, r -> r.map(x -> x.checked(now)));
            return new Top(cached.get(), false, "revalidated", "one HEAD: " + ref.registry() + " still has "
                    + current.digest().shortHex());
        }
        if (head.isEmpty()) {
            return new Top(fetchTop(ref, origin), true, "refetch", "registry did not give the digest on HEAD; fetched the manifest");
        }
        Digest moved = head.get().digest();
        String message = shortName(ref) + " moved " + current.digest().shortHex() + " → " + moved.shortHex();
        telemetry.emit(new KilnEvent.Warning(message));
        return new Top(fetchTop(ref.withDigest(moved), origin), true, "moved", message + "; fetching what changed");
    }

    /**
     * The Docker daemon level, below the store and above every registry, for the policies that accept
     * any copy of a tag (if-not-present, never): an engine cannot say how fresh its tag is.
     */
    private Optional<RawManifest> fromDaemon(PullSpec spec, Telemetry telemetry) {
        if (daemon == null || (spec.policy() != PullPolicy.IF_NOT_PRESENT && spec.policy() != PullPolicy.NEVER)) {
            return Optional.empty();
        }
        return daemon.importImage(spec.reference(), spec.platform(), telemetry);
    }

    /**
     * One HEAD for {@code ref} off the caller's path; a moved tag is fetched (its top-level manifest
     * or index only) and recorded, so the next use resolves to it. Failures are warnings: the
     * cached image stays in use. {@link #awaitBackground} lets a short-lived process finish it.
     */
    private void revalidateInBackground(Reference ref, Digest cachedDigest) {
        CompletableFuture<Void> check = CompletableFuture.runAsync(() -> {
            Telemetry telemetry = new Telemetry(listener);
            try (Lease ignored = store.lease()) {
                Lazy origin = new Lazy(ref, telemetry);
                Optional<Descriptor> head = origin.source().head(ref);
                Instant now = clock.instant();
                if (head.isPresent() && head.get().digest().equals(cachedDigest)) {
                    store.records().update(ref, r -> r.map(x -> x.checked(now)));
                    telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), "revalidated", "background check: "
                            + ref.registry() + " still has " + cachedDigest.shortHex()));
                    return;
                }
                RawManifest moved = fetchTop(head.map(d -> ref.withDigest(d.digest())).orElse(ref), origin);
                store.records().update(ref, r -> Optional.of(new RefRecord(ref.toString(), moved.digest(), moved.mediaType(), now, now,
                        java.util.Map.of())));
                telemetry.emit(new KilnEvent.Warning(shortName(ref) + " moved " + cachedDigest.shortHex() + " → "
                        + moved.digest().shortHex() + " (background check); the next use takes it"));
            } catch (RuntimeException e) {
                telemetry.emit(new KilnEvent.Warning("background check of " + ref + " failed: " + e.getMessage()
                        + "; the cached image stays in use"));
            }
        }, transfers);
        background.add(check);
        check.whenComplete((ok, failure) -> background.remove(check));
    }

    /** Waits (at most {@code limit}) for background checks to finish, so that their results are recorded. */
    public void awaitBackground(Duration limit) {
        try {
            CompletableFuture.allOf(background.toArray(CompletableFuture[]::new)).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a check still running is abandoned: the next use simply checks again
        }
    }

    private RawManifest fetchTop(Reference ref, Lazy origin) {
        RawManifest raw = origin.source().manifest(ref);
        store.blobs().put(raw.bytes());
        return raw;
    }

    private Digest platformManifest(PullSpec spec, Top top, Optional<RefRecord> record, Lazy origin) {
        if (!top.raw.isIndex()) {
            return top.raw.digest();
        }
        Optional<Digest> known = record.filter(r -> r.digest().equals(top.raw.digest()))
                .flatMap(r -> r.platform(spec.platform())).map(RefRecord.PlatformEntry::manifest);
        if (known.isPresent()) {
            return known.get();
        }
        ImageIndex index = top.raw.asIndex();
        if (index.images().isEmpty() && index.manifests().stream().anyMatch(d -> MediaTypes.isIndex(d.mediaType()))) {
            throw new PlatformNotFoundException("image " + spec.reference() + " nests an index inside an index; "
                    + "Kiln does not follow nested indexes");
        }
        return index.select(spec.platform()).map(Descriptor::digest).orElseThrow(() -> new PlatformNotFoundException(
                "image " + spec.reference() + " has no " + spec.platform() + " variant; available: "
                        + index.platforms().stream().map(Platform::toString).distinct().collect(Collectors.joining(", "))));
    }

    private RawManifest load(Reference ref, Digest digest, PullPolicy policy, Lazy origin) {
        Optional<RawManifest> cached = store.manifest(digest);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (policy == PullPolicy.NEVER) {
            throw notCached(ref, "its manifest " + digest.shortHex() + " is not in the local store");
        }
        return fetchTop(ref.withDigest(digest), origin);
    }

    private byte[] loadConfig(Reference ref, Descriptor config, PullPolicy policy, Lazy origin) {
        if (config.size() > ImageJson.MAX_CONFIG_BYTES) {
            // refused before a byte is fetched: a config is read whole into memory
            throw new RegistryException("the config of " + ref + " is " + config.size() + " bytes, above Kiln's limit of "
                    + ImageJson.MAX_CONFIG_BYTES + "; refusing it");
        }
        Optional<byte[]> cached = store.blobs().readSmall(config.digest(), ImageJson.MAX_CONFIG_BYTES);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (policy == PullPolicy.NEVER) {
            throw notCached(ref, "its config " + config.digest().shortHex() + " is not in the local store");
        }
        store.blobs().ensure(config.digest(), config.size(), writer -> origin.source().fetchBlob(ref, config, writer));
        return store.blobs().readSmall(config.digest(), ImageJson.MAX_CONFIG_BYTES).orElseThrow();
    }

    private boolean ensureBlob(Reference ref, Descriptor layer, boolean verify, Lazy origin) {
        if (verify) {
            store.blobs().rehash(layer.digest());
        }
        return store.blobs().ensure(layer.digest(), layer.size(), writer -> origin.source().fetchBlob(ref, layer, writer));
    }

    private void recordUse(Reference ref, Platform platform, Top top, Digest manifestDigest, Instant now) {
        store.records().update(ref, current -> {
            RefRecord base = current.filter(r -> r.digest().equals(top.raw.digest()))
                    .orElseGet(() -> new RefRecord(ref.toString(), top.raw.digest(), top.raw.mediaType(), now, now, java.util.Map.of()));
            if (top.fresh) {
                base = base.checked(now);
            }
            Instant fetchedAt = base.platform(platform).filter(e -> e.manifest().equals(manifestDigest))
                    .map(RefRecord.PlatformEntry::fetchedAt).orElse(now);
            return Optional.of(base.withPlatform(platform, new RefRecord.PlatformEntry(manifestDigest, fetchedAt, now)));
        });
    }

    private static void requireNetwork(PullSpec spec, String why) {
        if (spec.policy() == PullPolicy.NEVER) {
            throw notCached(spec.reference(), "it is " + why);
        }
    }

    private static NotCachedException notCached(Reference ref, String why) {
        return new NotCachedException("image " + ref + " is not available offline: " + why
                + "; policy 'never' forbids the network (pull it first, or use --policy if-not-present)");
    }

    /**
     * The origin registry of one operation, created on first use so that cache hits never touch
     * the network stack; whether it was used decides the reported source.
     */
    private final class Lazy {
        private final Reference ref;
        private final Telemetry telemetry;
        private ImageSource source;
        private String servedBy;

        Lazy(Reference ref, Telemetry telemetry) {
            this.ref = ref;
            this.telemetry = telemetry;
        }

        synchronized ImageSource source() {
            if (source == null) {
                RegistryClient client = new RegistryClient(transport, telemetry);
                ImageSource origin = new RegistrySource(ref.registry(), client, telemetry);
                List<Mirror> levels = rules.mirrors(ref.registry());
                source = levels.isEmpty() ? origin
                        : new MirroredSource(levels, host -> new RegistrySource(host, client, telemetry), origin, telemetry);
            }
            return source;
        }

        /** A level other than a registry (the Docker daemon) provided the image. */
        synchronized void servedBy(String level) {
            servedBy = level;
        }

        /** {@code cache} when no registry provided anything beyond a revalidation, else the level that did. */
        synchronized String sourceName() {
            if (servedBy != null) {
                return servedBy;
            }
            return telemetry.bytesDownloaded() > 0 && source != null ? source.name() : "cache";
        }
    }

    private static String shortName(Reference ref) {
        return ref.repository().replaceFirst("^library/", "") + (ref.tag() != null ? ":" + ref.tag() : "");
    }

    static String age(Instant then, Instant now) {
        return Durations.words(Duration.between(then, now));
    }
}
