package dev.kiln.server.http;

import dev.kiln.api.CachedImage;
import dev.kiln.api.Kiln;
import dev.kiln.api.PruneRequest;
import dev.kiln.api.Units;
import dev.kiln.config.KilnConfig;
import dev.kiln.image.Reference;
import dev.kiln.server.auth.Role;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.Job;
import dev.kiln.server.builds.Rebases;
import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.History;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.schedule.Schedules;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The cache, outdated images, rebase, the configuration, the schedules and the statistics.
 *
 * @param storeBytes the store's size now
 */
public record AdminRoutes(Kiln kiln, KilnConfig config, History history, Rebases rebases, Schedules schedules, ServerMetrics metrics,
                          LongSupplier storeBytes) {
    private static final int LAST_RUNS = 10;

    /** Adds the routes to {@code app}. */
    public void register(Javalin app) {
        app.get("/api/v1/cache", this::cache, Role.READ);
        app.post("/api/v1/cache/refresh", this::refresh, Role.ADMIN);
        app.post("/api/v1/cache/prune", this::prune, Role.ADMIN);
        app.get("/api/v1/outdated", ctx -> ctx.json(Map.of("images", kiln.outdated())), Role.READ);
        app.post("/api/v1/rebase", this::rebase, Role.ADMIN);
        app.get("/api/v1/config", ctx -> ctx.json(config.redacted()), Role.READ);
        app.get("/api/v1/schedules", ctx -> ctx.json(Map.of("schedules", schedules.describe(LAST_RUNS))), Role.READ);
        app.post("/api/v1/schedules/{name}/run", ctx -> ctx.json(schedules.run(ctx.pathParam("name"))), Role.ADMIN);
        app.get("/api/v1/stats", this::stats, Role.READ);
    }

    /**
     * A cached image, its reference taken apart for the dashboard's grouping; {@code source} is where it
     * was fetched from ({@code host[:port]} or {@code docker-daemon}) and {@code level} the cache level
     * that is ({@code registry}, {@code mirror}, {@code daemon}); both null when the store did not record it.
     */
    record CacheEntry(String registry, String repository, String tag, String platform, String digest, long size, Instant fetchedAt,
                      Instant checkedAt, Instant lastUsed, String source, String level) {
    }

    private void cache(Context ctx) {
        List<CacheEntry> images = kiln.cachedImages().stream().map(AdminRoutes::entry).toList();
        Map<String, Object> store = new LinkedHashMap<>();
        store.put("bytes", storeBytes.getAsLong());
        KilnConfig.Store limits = config.store();
        store.put("maxSize", limits == null ? null : limits.maxSize());
        store.put("lowWatermark", limits == null ? null : limits.lowWatermark());
        ctx.json(Map.of("images", images, "store", store, "hitsSinceStart", metrics.hitsSinceStart(), "missesSinceStart", metrics.misses()));
    }

    private static CacheEntry entry(CachedImage image) {
        Reference ref = Reference.parse(image.reference());
        return new CacheEntry(ref.registry(), ref.repository(), ref.tag(), image.platform(), image.digest(), image.size(), image.fetchedAt(),
                image.checkedAt(), image.lastUsed(), image.source(),
                image.source() == null ? null : BuildService.fetchedFrom(image.source(), image.reference()));
    }

    /** {@code POST /api/v1/cache/refresh} body: the images to check; none: every cached tag. */
    record RefreshSpec(List<String> images) {
    }

    private void refresh(Context ctx) {
        RefreshSpec spec = ctx.body().isBlank() ? new RefreshSpec(null) : Json.read(ctx.body(), RefreshSpec.class, "refresh");
        ctx.json(Map.of("images", kiln.refresh(spec.images() == null ? List.of() : spec.images())));
    }

    /** {@code POST /api/v1/cache/prune} body, as {@code kiln cache prune}'s options. */
    record PruneSpec(Boolean dryRun, String maxSize, String lowWatermark, String maxAge, Integer keepLast) {
    }

    private void prune(Context ctx) {
        PruneSpec spec = ctx.body().isBlank() ? new PruneSpec(null, null, null, null, null) : Json.read(ctx.body(), PruneSpec.class, "prune");
        PruneRequest request = PruneRequest.builder().dryRun(Boolean.TRUE.equals(spec.dryRun()))
                .maxSize(spec.maxSize() == null ? null : Units.parseSize(spec.maxSize()),
                        spec.lowWatermark() == null ? null : Units.parseSize(spec.lowWatermark()))
                .maxAge(spec.maxAge() == null ? null : Units.parseDuration(spec.maxAge())).keepLast(spec.keepLast()).build();
        ctx.json(kiln.prune(request));
    }

    private void rebase(Context ctx) {
        Rebases.Spec spec = Json.read(ctx.body(), Rebases.Spec.class, "rebase");
        Job job = rebases.submit(spec, Routes.principal(ctx).name());
        ctx.status(202).header("Location", "/api/v1/builds/" + job.id()).json(Map.of("id", job.id()));
    }

    /** One hour of the statistics. */
    record Hour(Instant hour, int builds, Map<String, Integer> outcomes, Map<String, Integer> cacheHits, int cacheMisses,
                long bytesDownloaded, long bytesUploaded, long bytesSaved) {
    }

    private void stats(Context ctx) {
        Long since = Routes.timeParam(ctx, "since");
        long from = since != null ? since : Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
        Map<Instant, List<BuildRecord>> byHour = new TreeMap<>();
        for (BuildRecord b : history.since(from)) {
            byHour.computeIfAbsent(Instant.ofEpochMilli(b.submittedAt()).truncatedTo(ChronoUnit.HOURS), h -> new java.util.ArrayList<>()).add(b);
        }
        List<Hour> hours = byHour.entrySet().stream().map(e -> {
            Map<String, Integer> outcomes = new TreeMap<>();
            Map<String, Integer> hits = new TreeMap<>();
            int misses = 0;
            long down = 0;
            long up = 0;
            long saved = 0;
            for (BuildRecord b : e.getValue()) {
                outcomes.merge(b.status(), 1, Integer::sum);
                if ("registry".equals(b.cacheLevel())) {
                    misses++;
                } else if (b.cacheLevel() != null) {
                    hits.merge(b.cacheLevel(), 1, Integer::sum);
                }
                down += b.bytesDownloaded() == null ? 0 : b.bytesDownloaded();
                up += b.bytesUploaded() == null ? 0 : b.bytesUploaded();
                saved += b.bytesSaved() == null ? 0 : b.bytesSaved();
            }
            return new Hour(e.getKey(), e.getValue().size(), outcomes, hits, misses, down, up, saved);
        }).toList();
        ctx.json(Map.of("since", Instant.ofEpochMilli(from), "hours", hours));
    }
}
