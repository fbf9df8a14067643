package dev.kiln.api;

import dev.kiln.internal.build.StoreLimit;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.KilnException;
import dev.kiln.error.RegistryException;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Digest;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Reference;
import dev.kiln.internal.resolve.PullSpec;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.Ledger;
import dev.kiln.internal.store.LocalStore;
import dev.kiln.internal.store.RefRecord;
import dev.kiln.internal.store.StoreCollector;
import dev.kiln.internal.store.StoreVerifier;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What {@link Kiln} does to the store itself: list, refresh, remove, prune, verify, and the outdated check. */
record StoreOperations(LocalStore store, Resolver resolver, KilnListener listener, Clock clock, StoreLimit storeLimit) {

    List<CachedImage> cachedImages() {
        return new StoreCollector(store).list().stream().map(Results::cachedImage).toList();
    }

    List<RefreshedImage> refresh(List<String> images) {
        Telemetry telemetry = new Telemetry(listener);
        Set<String> wanted = new HashSet<>();
        for (String image : images) {
            wanted.add(requireCached(image).toString());
        }
        List<RefreshedImage> refreshed = new ArrayList<>();
        Set<String> checked = new HashSet<>();
        for (StoreCollector.CachedImage cached : new StoreCollector(store).list()) {
            Reference ref = Reference.parse(cached.reference());
            if (ref.isPinned() || !wanted.isEmpty() && !wanted.contains(cached.reference())) {
                continue;
            }
            // the tag is asked once; its other platforms follow the record the first check updated
            PullPolicy policy = checked.add(cached.reference()) ? PullPolicy.ALWAYS : PullPolicy.IF_NOT_PRESENT;
            Resolver.Pulled pulled = telemetry.step("refresh", cached.reference() + " (" + cached.platform() + ")",
                    () -> resolver.pull(new PullSpec(ref, Platform.parse(cached.platform()), policy, null, false), telemetry),
                    p -> p.image().decision());
            String now = pulled.image().digest().toString();
            refreshed.add(new RefreshedImage(cached.reference(), cached.platform(), cached.manifest().toString(), now,
                    !now.equals(cached.manifest().toString())));
        }
        storeLimit.apply(telemetry);
        return refreshed;
    }

    PruneResult remove(String image) {
        return Results.prune(new StoreCollector(store).remove(requireCached(image)));
    }

    private Reference requireCached(String image) {
        Reference ref = Reference.parse(image);
        if (store.records().find(ref).isEmpty()) {
            throw new InvalidInputException("image " + ref + " is not in the local store (see 'kiln cache ls')");
        }
        return ref;
    }

    PruneResult prune(PruneRequest request) {
        return Results.prune(new StoreCollector(store).prune(new StoreCollector.PruneOptions(request.maxSize(), request.lowWatermark(),
                request.maxAge(), request.keepLast(), request.dryRun(), request.partialMaxAge()), clock.instant()));
    }

    StoreVerification verify() {
        StoreVerifier.Report report = new StoreVerifier(store).verify();
        return new StoreVerification(report.blobs(), report.bytes(), report.corrupt().stream().map(Digest::toString).toList(),
                report.dangling(), report.layersNotFetched(), report.ingestFiles(), report.ok());
    }

    /**
     * Every image Kiln built on a base (the latest build of each image and platform), with whether its
     * base tag moved: one manifest HEAD per base tag, nothing fetched or written; a base whose registry
     * fails makes its images {@code error} rows, and the others are checked all the same.
     */
    List<OutdatedImage> outdated() {
        Telemetry telemetry = new Telemetry(listener);
        Map<String, Ledger.Entry> latest = new LinkedHashMap<>();
        for (Ledger.Entry entry : store.ledger().entries()) {
            if (entry.base() != null) {
                latest.put(entry.image() + " " + entry.platform(), entry);
            }
        }
        Map<String, Object> heads = new HashMap<>();
        List<OutdatedImage> images = new ArrayList<>();
        for (Ledger.Entry entry : latest.values()) {
            Reference base = Reference.parse(entry.base());
            if (base.isPinned()) {
                images.add(row(entry, OutdatedImage.CURRENT, entry.baseDigest(), null));   // a digest never moves
                continue;
            }
            Object head = heads.computeIfAbsent(entry.base(), k -> head(base, telemetry));
            if (head instanceof KilnException failure) {
                images.add(row(entry, OutdatedImage.ERROR, null, failure.getMessage()));
                continue;
            }
            Digest now = (Digest) head;
            Optional<Digest> platformNow = platformManifest(base, now, Platform.parse(entry.platform()));
            boolean current = now.equals(entry.baseDigest()) || now.equals(entry.baseTop())
                    || platformNow.filter(entry.baseDigest()::equals).isPresent();
            images.add(current ? row(entry, OutdatedImage.CURRENT, entry.baseDigest(), null)
                    : row(entry, OutdatedImage.MOVED, platformNow.orElse(now), null));
        }
        return images;
    }

    /** What the base tag names now (a {@link Digest}), or why that could not be asked (a {@link KilnException}). */
    private Object head(Reference base, Telemetry telemetry) {
        try {
            return telemetry.step("check base", base.toString(), () -> resolver.head(base, telemetry).orElseThrow(
                    () -> new RegistryException("registry " + base.registry() + " did not give the digest of " + base + " on HEAD",
                            base.registry(), 0, null, null)).digest(), Digest::shortHex);
        } catch (KilnException e) {
            return e;
        }
    }

    /** The platform's manifest under the top-level digest {@code top}, when the store's record of {@code base} knows it. */
    private Optional<Digest> platformManifest(Reference base, Digest top, Platform platform) {
        return store.records().find(base).filter(r -> r.digest().equals(top)).flatMap(r -> r.platform(platform))
                .map(RefRecord.PlatformEntry::manifest);
    }

    private static OutdatedImage row(Ledger.Entry entry, String status, Digest baseNow, String error) {
        return new OutdatedImage(entry.image(), entry.platform(), entry.digest().toString(), entry.base(), entry.baseDigest().toString(),
                baseNow == null ? null : baseNow.toString(), status, error);
    }
}
