package dev.kiln.internal.resolve;

import dev.kiln.error.NotCachedException;
import dev.kiln.error.RegistryException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.RegistryClient;
import dev.kiln.internal.registry.RegistryTransport;
import dev.kiln.internal.resolve.FreshnessDecision.Action;
import dev.kiln.internal.store.Lease;
import dev.kiln.internal.store.BlobWriter;
import dev.kiln.internal.store.LocalStore;
import dev.kiln.internal.store.RefRecord;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resolves base images store-first: read the record, {@linkplain FreshnessDecision decide}, ask a
 * {@link SourceChain} (a Docker engine when the decision accepts any copy, mirrors, the registry) as
 * little as the decision says (one HEAD to revalidate, then only what is missing), and write what it
 * provides back to the store, verified, with a record of (reference, platform) → manifest digest.
 */
public final class Resolver {
    private final LocalStore store;
    private final RegistryTransport transport;
    private final ExecutorService transfers;
    private final Clock clock;
    private final KilnListener listener;
    private final RegistryRules rules;
    private final ImageSource.Factory local;
    private final ImageLoader images;
    private final Set<CompletableFuture<Void>> background = ConcurrentHashMap.newKeySet();

    /**
     * {@code rules}: per registry (as references name it, e.g. {@code docker.io}), its mirrors in order;
     * {@code local}: a source on this machine asked before any registry (a Docker engine), or {@code null}.
     */
    public Resolver(LocalStore store, RegistryTransport transport, ExecutorService transfers, Clock clock, KilnListener listener,
                    RegistryRules rules, ImageSource.Factory local) {
        this.store = store;
        this.transport = transport;
        this.transfers = transfers;
        this.clock = clock;
        this.listener = listener;
        this.rules = rules;
        this.local = local;
        this.images = new ImageLoader(store);
    }

    /** The result of a full pull: the image and what its layers cost. */
    public record Pulled(ResolvedImage image, int layersFetched, int layersCached) {
    }

    /** Resolves {@code spec} and makes sure every layer is in the store, downloading missing ones in parallel. */
    public Pulled pull(PullSpec spec, Telemetry telemetry) {
        try (Lease ignored = store.lease()) {
            ImageLoader.Loaded loaded = resolveImage(spec, telemetry);
            List<Descriptor> layers = loaded.manifest().asManifest().layers();
            if (spec.verify()) {
                Futures.joinAll(layers.stream().map(l -> Futures.async(() -> store.blobs().rehash(l.digest()), transfers))
                        .toList());
            }
            List<Descriptor> missing = layers.stream().filter(l -> !store.blobs().isVerified(l.digest())).toList();
            ResolvedImage image = report(loaded, missing, layers.size(), telemetry);
            int fetched = (int) Futures.joinAll(missing.stream()
                    .map(layer -> Futures.async(() -> ensureBlob(image.reference(), layer, loaded.sources()), transfers))
                    .toList()).stream().filter(Boolean::booleanValue).count();
            ResolvedImage done = new ResolvedImage(image.reference(), image.platform(), image.topDigest(), image.manifest(),
                    image.configBytes(), image.config(), loaded.sources().sourceName(), image.decision());
            return new Pulled(done, fetched, layers.size() - fetched);
        }
    }

    /**
     * Makes sure one layer of a resolved image is in the store, downloading it from the image's
     * registry only if it is not; for builds that need a base layer's bytes (and only then).
     * The caller holds a {@linkplain LocalStore#lease() store lease}. Returns whether it was fetched.
     */
    public boolean ensureLayer(ResolvedImage image, Descriptor layer, Telemetry telemetry) {
        return ensureLayer(image, layer, telemetry, null);
    }

    /**
     * Like {@link #ensureLayer(ResolvedImage, Descriptor, Telemetry)}, giving {@code tap} a copy of the
     * layer's bytes as they are written into the store, when this call fetches them (nothing otherwise).
     */
    public boolean ensureLayer(ResolvedImage image, Descriptor layer, Telemetry telemetry, BlobWriter.Tap tap) {
        Sources sources = new Sources(image.reference(), image.platform(), telemetry, false, false);
        return store.blobs().ensure(layer.digest(), layer.size(), writer -> {
            if (tap != null) {
                writer.tap(tap);
            }
            // the image's own decision was logged before anyone knew this layer's bytes were needed
            telemetry.emit(new KilnEvent.CacheDecision(image.reference().toString(), "partial", "layer "
                    + ImageLoader.shortDigest(layer.digest()) + " is not in the local store and the build needs its bytes: fetching it"));
            sources.chain().fetchBlob(image.reference(), layer, writer);
        });
    }

    /** Resolves manifest and config for the platform, storing them; layers are left to the caller. */
    public ResolvedImage resolve(PullSpec spec, Telemetry telemetry) {
        try (Lease ignored = store.lease()) {
            return report(resolveImage(spec, telemetry), List.of(), 0, telemetry);
        }
    }

    /**
     * What {@code ref} (a tag) names now, from one manifest HEAD (a mirror that may resolve tags is asked
     * first); nothing is stored or recorded. Empty when the registry does not say the digest.
     */
    public Optional<Descriptor> head(Reference ref, Telemetry telemetry) {
        return new Sources(ref, Platform.host(), telemetry, false, false).chain().head(ref);
    }

    private ImageLoader.Loaded resolveImage(PullSpec spec, Telemetry telemetry) {
        Reference ref = spec.reference();
        Instant now = clock.instant();
        Optional<RefRecord> record = store.records().find(ref);
        Optional<RawManifest> cached = cachedTop(ref, record);
        FreshnessDecision decision = FreshnessDecision.decide(spec, record, cached.isPresent(), now);
        if (decision.action() != Action.FETCH && decision.action() != Action.REVALIDATE) {
            return resolveWith(spec, decision, record, cached, telemetry, now);   // no registry request to share
        }
        // one resolution of a reference at a time, in this process and others: those who waited find the
        // record the first one wrote, and send no request of their own (a manifest GET is a pull on Docker Hub)
        try (Lease ignored = store.records().lockResolution(ref, () -> telemetry.emit(new KilnEvent.CacheDecision(ref.toString(),
                "wait", "another process is resolving this reference; waiting for its answer")))) {
            Optional<RefRecord> found = store.records().find(ref);
            Optional<RawManifest> stored = cachedTop(ref, found);
            FreshnessDecision current = FreshnessDecision.decide(spec, found, stored.isPresent(), clock.instant());
            // checked while this one waited: as fresh as its own request would have been, under any policy
            if (stored.isPresent() && found.filter(r -> checkedSince(r, record)).isPresent()) {
                current = new FreshnessDecision(Action.USE_CACHED, "shared", "resolved to " + stored.get().digest().shortHex()
                        + " by a concurrent use while this one waited; no request of its own", false, false);
            }
            return resolveWith(spec, current, found, stored, telemetry, clock.instant());
        }
    }

    /** The top-level document the record (or a pinned digest) names, if it is in the store. */
    private Optional<RawManifest> cachedTop(Reference ref, Optional<RefRecord> record) {
        return ref.isPinned() ? store.manifest(ref.digest()) : record.flatMap(r -> store.manifest(r.digest()));
    }

    /** Whether a registry was asked about the reference after {@code before} was read: a record appeared, or was checked again. */
    private static boolean checkedSince(RefRecord found, Optional<RefRecord> before) {
        return before.isEmpty() || found.checkedAt().isAfter(before.get().checkedAt()) || !found.digest().equals(before.get().digest());
    }

    /** Carries out {@code decision} and loads the platform's manifest and config, recording the use. */
    private ImageLoader.Loaded resolveWith(PullSpec spec, FreshnessDecision decision, Optional<RefRecord> record, Optional<RawManifest> cached,
                                           Telemetry telemetry, Instant now) {
        Reference ref = spec.reference();
        Sources sources = new Sources(ref, spec.platform(), telemetry, decision.anyCopy(), decision.action() == Action.FAIL_OFFLINE);
        Top top = carryOut(spec, decision, record, cached, sources, now);
        if (top.fresh()) {
            telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), top.outcome(), top.reason()));
        }
        ImageLoader.Loaded loaded = images.load(spec, top, record, sources);
        store.records().update(ref, current -> Optional.of(ImageLoader.recordUse(current, ref, spec.platform(), top,
                loaded.manifest().digest(), sources.sourceName(), now)));
        return loaded;
    }

    /**
     * Emits the cache decision of an image that came from the store, now that it is known what it
     * still lacked: "cache hit" only when nothing is requested; otherwise what is fetched and why.
     */
    private ResolvedImage report(ImageLoader.Loaded loaded, List<Descriptor> missingLayers, int layers, Telemetry telemetry) {
        Top top = loaded.top();
        String outcome = top.outcome();
        String reason = top.reason();
        if (!top.fresh()) {
            String lacking = ImageLoader.lacking(top.raw(), loaded.fetched(), missingLayers, layers);
            if (!lacking.isEmpty()) {
                outcome = outcome.equals("hit") ? "partial" : outcome;
                reason = outcome.equals("partial") ? lacking : reason + "; " + lacking;
            }
            telemetry.emit(new KilnEvent.CacheDecision(loaded.spec().reference().toString(), outcome, reason));
        }
        return new ResolvedImage(loaded.spec().reference(), loaded.spec().platform(), top.raw().digest(), loaded.manifest(),
                loaded.configBytes(), loaded.config(), loaded.sources().sourceName(), outcome + ": " + reason);
    }

    /** The top-level document of the reference, and in words why it came from where it did. */
    record Top(RawManifest raw, boolean fresh, String outcome, String reason) {
    }

    private Top carryOut(PullSpec spec, FreshnessDecision decision, Optional<RefRecord> record, Optional<RawManifest> cached,
                         Sources sources, Instant now) {
        Reference ref = spec.reference();
        return switch (decision.action()) {
            case USE_CACHED -> new Top(cached.orElseThrow(), false, decision.outcome(), decision.reason());
            case USE_STALE_AND_CHECK_IN_BACKGROUND -> {
                revalidateInBackground(spec, decision, record.orElseThrow(), cached.orElseThrow());
                yield new Top(cached.orElseThrow(), false, decision.outcome(), decision.reason());
            }
            case REVALIDATE -> revalidate(ref, decision, record.orElseThrow(), cached.orElseThrow(), sources, now, false);
            case FETCH, FAIL_OFFLINE -> {
                if (decision.action() == Action.FAIL_OFFLINE && !sources.canAsk()) {
                    throw notCached(ref, decision.reason());
                }
                try {
                    RawManifest raw = fetchTop(ref, sources);
                    yield new Top(raw, true, decision.outcome(), decision.reason() + "; fetched from " + sources.chain().name());
                } catch (RegistryException e) {
                    if (e.isNotFound() && decision.action() == Action.FAIL_OFFLINE) {
                        throw notCached(ref, decision.reason());
                    }
                    throw e;
                }
            }
        };
    }

    /**
     * One HEAD and what follows from it (record the check, or fetch what the tag now names): the same
     * path for a build's check and a background one.
     */
    private Top revalidate(Reference ref, FreshnessDecision decision, RefRecord current, RawManifest cached, Sources sources,
                           Instant now, boolean inBackground) {
        Optional<Descriptor> head;
        try {
            head = sources.chain().head(ref);
        } catch (RegistryException e) {
            // an answer about the image itself (gone, not allowed) is never masked; an outage may be
            if (!decision.staleIfError() || e.isAuthentication() || e.isNotFound()) {
                throw e;
            }
            String message = ref.registry() + " is unreachable (" + e.getMessage() + "); using the cached " + current.digest().shortHex()
                    + ", last checked " + FreshnessDecision.age(current.checkedAt(), now) + " ago (stale-if-error)";
            sources.telemetry.emit(new KilnEvent.Warning(message));
            return new Top(cached, false, "stale", message);
        }
        if (head.isPresent() && head.get().digest().equals(current.digest())) {
            store.records().update(ref, r -> r.map(x -> x.checked(now)));
            String still = ref.registry() + " still has " + current.digest().shortHex();
            return new Top(cached, false, "revalidated", inBackground ? "background check: " + still
                    : "one HEAD: " + still + " (" + decision.reason() + ")");
        }
        if (head.isEmpty()) {
            return new Top(fetchTop(ref, sources), true, "refetch", "registry did not give the digest on HEAD; fetched the manifest");
        }
        Digest moved = head.get().digest();
        String message = shortName(ref) + " moved " + current.digest().shortHex() + " → " + moved.shortHex();
        sources.telemetry.emit(new KilnEvent.Warning(message + (inBackground ? " (background check); the next use takes it" : "")));
        return new Top(fetchTop(ref.withDigest(moved), sources), true, "moved", message + "; fetching what changed");
    }

    /**
     * Runs {@link #revalidate} off the caller's path; a moved tag is fetched (its top-level manifest or
     * index only) and recorded, so the next use resolves to it. Failures are warnings: the cached image
     * stays in use. {@link #awaitBackground} lets a short-lived process finish it.
     */
    private void revalidateInBackground(PullSpec spec, FreshnessDecision decision, RefRecord current, RawManifest cached) {
        Reference ref = spec.reference();
        CompletableFuture<Void> check = CompletableFuture.runAsync(() -> {
            Telemetry telemetry = new Telemetry(listener);
            try (Lease ignored = store.lease(); Lease resolving = store.records().lockResolution(ref, () -> { })) {
                if (store.records().find(ref).filter(found -> checkedSince(found, Optional.of(current))).isPresent()) {
                    return;   // another use checked it meanwhile
                }
                Instant now = clock.instant();
                Top top = revalidate(ref, decision, current, cached, new Sources(ref, spec.platform(), telemetry, false, false), now, true);
                if (top.fresh()) {
                    store.records().update(ref, r -> Optional.of(ImageLoader.newRecord(ref, top.raw(), now)));
                } else {
                    telemetry.emit(new KilnEvent.CacheDecision(ref.toString(), top.outcome(), top.reason()));
                }
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

    private RawManifest fetchTop(Reference ref, Sources sources) {
        return images.fetch(ref, sources);
    }

    private boolean ensureBlob(Reference ref, Descriptor blob, Sources sources) {
        return store.blobs().ensure(blob.digest(), blob.size(), writer -> sources.chain().fetchBlob(ref, blob, writer));
    }

    static NotCachedException notCached(Reference ref, String why) {
        return new NotCachedException("image " + ref + " is not available offline: " + why
                + "; policy 'never' forbids the network (pull it first, or use --policy if-not-present)");
    }

    /**
     * The sources of one operation, created on first use so that cache hits never touch the network
     * stack; which of them provided content decides the reported source.
     */
    final class Sources {
        private final Reference ref;
        private final Platform platform;
        private final Telemetry telemetry;
        private final boolean anyCopy;
        private final boolean offline;
        private SourceChain chain;

        /** {@code anyCopy}: a local source (a Docker engine) goes first; {@code offline}: no registry at all. */
        Sources(Reference ref, Platform platform, Telemetry telemetry, boolean anyCopy, boolean offline) {
            this.ref = ref;
            this.platform = platform;
            this.telemetry = telemetry;
            this.anyCopy = anyCopy && local != null;
            this.offline = offline;
        }

        /** Whether any level may be asked: the network, or a local source. */
        boolean canAsk() {
            return !offline || anyCopy;
        }

        synchronized SourceChain chain() {
            if (chain == null) {
                List<ImageSource> locals = anyCopy ? List.of(local.open(platform, telemetry)) : List.of();
                RegistryClient client = offline ? null : new RegistryClient(transport, telemetry);
                chain = new SourceChain(locals, offline ? List.of() : rules.mirrors(ref.registry()),
                        host -> new RegistrySource(host, client, telemetry),
                        offline ? null : new RegistrySource(ref.registry(), client, telemetry), telemetry);
            }
            return chain;
        }

        /** {@code cache} when no level provided anything beyond a revalidation, else the level that did. */
        synchronized String sourceName() {
            return chain == null ? "cache" : chain.provider().orElse("cache");
        }
    }

    private static String shortName(Reference ref) {
        return ref.repository().replaceFirst("^library/", "") + (ref.tag() != null ? ":" + ref.tag() : "");
    }
}
