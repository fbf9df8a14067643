package dev.kiln.server.http;

import dev.kiln.api.BuildResult;
import dev.kiln.api.CachedImage;
import dev.kiln.api.Kiln;
import dev.kiln.api.OutdatedImage;
import dev.kiln.api.PruneRequest;
import dev.kiln.api.PruneResult;
import dev.kiln.api.RebaseRequest;
import dev.kiln.api.RefreshedImage;
import dev.kiln.config.KilnConfig;
import dev.kiln.image.Reference;
import dev.kiln.server.auth.Role;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.Job;
import dev.kiln.server.builds.Work;
import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.History;
import dev.kiln.server.metrics.ServerMetrics;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The store's API: the cache levels and the cached images ({@code GET /api/v1/cache}), refresh and
 * prune (with a dry run), the images whose base moved ({@code GET /api/v1/outdated}) and their rebase
 * ({@code POST /api/v1/rebase}, run as a build of kind {@code rebase} in the history).
 */
public final class StoreRoutes {
    private static final int HISTORY_SCAN = 1000;

    private final Kiln kiln;
    private final BuildService builds;
    private final History history;
    private final ServerMetrics metrics;
    private final KilnConfig config;
    private final LongSupplier storeBytes;

    /** Routes over the service's Kiln, builds and history; {@code config} (may be {@code null}) names the levels and limits. */
    public StoreRoutes(Kiln kiln, BuildService builds, History history, ServerMetrics metrics, KilnConfig config, LongSupplier storeBytes) {
        this.kiln = kiln;
        this.builds = builds;
        this.history = history;
        this.metrics = metrics;
        this.config = config != null ? config : KilnConfig.EMPTY;
        this.storeBytes = storeBytes;
    }

    /** Adds the routes to {@code app}. */
    public void register(Javalin app) {
        app.get("/api/v1/cache", this::cache, Role.READ);
        app.post("/api/v1/cache/refresh", this::refresh, Role.ADMIN);
        app.post("/api/v1/cache/prune", this::prune, Role.ADMIN);
        app.get("/api/v1/outdated", this::outdated, Role.READ);
        app.post("/api/v1/rebase", this::rebase, Role.ADMIN);
    }

    private void cache(Context ctx) {
        Map<String, String> servedBy = servedBy();
        List<Map<String, Object>> images = new ArrayList<>();
        for (CachedImage image : kiln.cachedImages()) {
            Map<String, Object> view = imageView(image);
            view.put("source", servedBy.get(image.reference()));
            images.add(view);
        }
        Map<String, Object> store = new LinkedHashMap<>();
        store.put("bytes", storeBytes.getAsLong());
        KilnConfig.Store limits = config.store();
        Long maxSize = limits == null ? null : limits.maxSize();
        store.put("maxSize", maxSize);
        // the same default as KilnConfig.applyTo: 80 % of the maximum
        store.put("lowWatermark", maxSize == null ? null : limits.lowWatermark() != null ? limits.lowWatermark() : maxSize / 10 * 8);
        ctx.json(Map.of("levels", levels(), "store", store, "images", images));
    }

    /** The cache levels in the order a pull asks them, with their hits since the service started. */
    private List<Map<String, Object>> levels() {
        Map<String, Long> hits = metrics.hitsSinceStart();
        List<Map<String, Object>> levels = new ArrayList<>();
        levels.add(level("store", "the local store: " + kiln.storeDir(), hits.getOrDefault("store", 0L)));
        if (config.daemon() != null && !Boolean.FALSE.equals(config.daemon().enabled())) {
            levels.add(level("daemon", "the Docker engine" + (config.daemon().host() == null ? "" : " at " + config.daemon().host()),
                    hits.getOrDefault("daemon", 0L)));
        }
        config.registries().forEach((pattern, registry) -> registry.mirrors().forEach(mirror -> levels.add(level("mirror",
                mirror.url() + " for " + pattern + (mirror.resolve() ? " (tags and digests)" : " (content by digest only)"),
                hits.getOrDefault("mirror", 0L)))));
        levels.add(level("registry", "each image's own registry (the origin): a miss of every cache level", metrics.misses()));
        return levels;
    }

    private static Map<String, Object> level(String name, String detail, long hits) {
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("level", name);
        level.put("detail", detail);
        level.put("hits", hits);
        return level;
    }

    /** Per base reference, the level that last fetched it (a build served by the store fetched nothing). */
    private Map<String, String> servedBy() {
        Map<String, String> levels = new HashMap<>();
        for (BuildRecord build : history.list(BuildRecord.SUCCEEDED, null, HISTORY_SCAN)) {
            String base = BuildRoutes.baseReference(build);
            if (base != null && build.cacheLevel() != null && !build.cacheLevel().equals("store")) {
                levels.putIfAbsent(Reference.parse(base).toString(), build.cacheLevel());
            }
        }
        return levels;
    }

    private static Map<String, Object> imageView(CachedImage image) {
        Reference ref = Reference.parse(image.reference());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("reference", image.reference());
        view.put("registry", ref.registry());
        view.put("repository", ref.repository());
        view.put("tag", ref.tag());
        view.put("platform", image.platform());
        view.put("digest", image.digest());
        view.put("size", image.size());
        view.put("lastUsed", image.lastUsed());
        view.put("fetchedAt", image.fetchedAt());
        view.put("checkedAt", image.checkedAt());
        return view;
    }

    private record RefreshBody(List<String> images) {
    }

    private void refresh(Context ctx) {
        List<String> images = ctx.body().isBlank() ? List.of() : Json.read(ctx.body(), RefreshBody.class, "refresh").images();
        List<RefreshedImage> refreshed = kiln.refresh(images == null ? List.of() : images);
        ctx.json(Map.of("refreshed", refreshed));
    }

    private record PruneBody(Boolean dryRun) {
    }

    private void prune(Context ctx) {
        boolean dryRun = ctx.body().isBlank() || !Boolean.FALSE.equals(Json.read(ctx.body(), PruneBody.class, "prune").dryRun());
        PruneRequest.Builder request = PruneRequest.builder().dryRun(dryRun);
        KilnConfig.Store limits = config.store();
        if (limits != null && limits.maxSize() != null) {
            request.maxSize(limits.maxSize());
            if (limits.lowWatermark() != null) {
                request.lowWatermark(limits.lowWatermark());
            }
        }
        PruneResult result = kiln.prune(request.build());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("dryRun", result.dryRun());
        view.put("removed", result.removed().stream().map(StoreRoutes::imageView).toList());
        view.put("blobsRemoved", result.blobsRemoved());
        view.put("bytesBefore", result.bytesBefore());
        view.put("bytesAfter", result.bytesAfter());
        view.put("bytesFreed", result.bytesFreed());
        ctx.json(view);
    }

    private void outdated(Context ctx) {
        Map<String, Long> builtAt = new HashMap<>();
        for (BuildRecord build : history.list(BuildRecord.SUCCEEDED, null, HISTORY_SCAN)) {
            if (build.digest() != null && build.finishedAt() != null) {
                builtAt.putIfAbsent(build.digest(), build.finishedAt());
            }
        }
        List<Map<String, Object>> images = new ArrayList<>();
        for (OutdatedImage image : kiln.outdated()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("image", image.image());
            view.put("platform", image.platform());
            view.put("digest", image.digest());
            view.put("base", image.base());
            view.put("builtOn", image.builtOn());
            view.put("baseNow", image.baseNow());
            view.put("status", image.status());
            view.put("error", image.error());
            Long at = builtAt.get(image.digest());
            view.put("builtAt", at == null ? null : Instant.ofEpochMilli(at));
            images.add(view);
        }
        ctx.json(Map.of("images", images, "checkedAt", Instant.now()));
    }

    private record RebaseBody(String image, String base, String platform) {
    }

    private void rebase(Context ctx) {
        RebaseBody body = Json.read(ctx.body(), RebaseBody.class, "rebase");
        if (body.image() == null || body.image().isBlank()) {
            throw ApiException.badRequest("rebase: image is required, e.g. {\"image\": \"registry.example.com/jobs/orders:42\"}");
        }
        RebaseRequest request = RebaseRequest.builder(body.image()).base(body.base()).platform(body.platform()).build();
        Work work = (k, listener) -> {
            BuildResult result = k.rebase(request, listener);
            return new Work.Outcome(result, result);
        };
        Job job = builds.submit("rebase", request.destination().imageName(), Routes.principal(ctx).name(), Json.write(body), work, null);
        ctx.status(202).header("Location", "/api/v1/builds/" + job.id()).json(Map.of("id", job.id()));
    }
}
