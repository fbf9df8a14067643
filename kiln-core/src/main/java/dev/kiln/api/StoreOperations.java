package dev.kiln.api;

import dev.kiln.internal.build.StoreLimit;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Digest;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Reference;
import dev.kiln.internal.resolve.PullSpec;
import dev.kiln.internal.resolve.ResolvedImage;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.Ledger;
import dev.kiln.internal.store.LocalStore;
import dev.kiln.internal.store.StoreCollector;
import dev.kiln.internal.store.StoreVerifier;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    List<OutdatedImage> outdated() {
        Telemetry telemetry = new Telemetry(listener);
        Map<String, Ledger.Entry> latest = new LinkedHashMap<>();
        for (Ledger.Entry entry : store.ledger().entries()) {
            if (entry.base() != null && !Reference.parse(entry.base()).isPinned()) {
                latest.put(entry.image() + " " + entry.platform(), entry);
            }
        }
        Set<String> checked = new HashSet<>();
        Map<String, Digest> baseNow = new HashMap<>();
        List<OutdatedImage> outdated = new ArrayList<>();
        for (Ledger.Entry entry : latest.values()) {
            String key = entry.base() + " " + entry.platform();
            Digest now = baseNow.computeIfAbsent(key, k -> {
                PullPolicy policy = checked.add(entry.base()) ? PullPolicy.ALWAYS : PullPolicy.IF_NOT_PRESENT;
                return telemetry.step("check base", entry.base() + " (" + entry.platform() + ")",
                        () -> resolver.resolve(new PullSpec(Reference.parse(entry.base()), Platform.parse(entry.platform()), policy, null,
                                false), telemetry), ResolvedImage::decision).digest();
            });
            if (!now.equals(entry.baseDigest())) {
                outdated.add(new OutdatedImage(entry.image(), entry.platform(), entry.digest().toString(), entry.base(),
                        entry.baseDigest().toString(), now.toString()));
            }
        }
        return outdated;
    }
}
