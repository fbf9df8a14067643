package dev.kiln.server.http;

import dev.kiln.config.KilnConfig;
import dev.kiln.server.ServerSettings;
import dev.kiln.server.auth.Role;
import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.History;
import dev.kiln.server.history.ScheduleRun;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the service runs with and what it did: the effective configuration, redacted
 * ({@code GET /api/v1/config}), the schedules with their last and next runs ({@code GET /api/v1/schedules})
 * and per-hour figures from the history ({@code GET /api/v1/stats?since=}).
 */
public final class ServiceInfoRoutes {
    private static final int RUNS_SHOWN = 10;
    private static final Duration DEFAULT_STATS_WINDOW = Duration.ofHours(24);

    private final KilnConfig config;
    private final ServerSettings settings;
    private final History history;

    /** Routes over the configuration ({@code null}: none loaded), the settings and the history. */
    public ServiceInfoRoutes(KilnConfig config, ServerSettings settings, History history) {
        this.config = config != null ? config : KilnConfig.EMPTY;
        this.settings = settings;
        this.history = history;
    }

    /** Adds the routes to {@code app}. */
    public void register(Javalin app) {
        app.get("/api/v1/config", ctx -> ctx.json(config.redacted()), Role.READ);
        app.get("/api/v1/schedules", this::schedules, Role.READ);
        app.get("/api/v1/stats", this::stats, Role.READ);
    }

    private void schedules(Context ctx) {
        List<Map<String, Object>> schedules = new ArrayList<>();
        schedules.add(schedule("refresh", settings.refresh(), "one HEAD per cached tag; pulls what moved"));
        schedules.add(schedule("outdated", settings.outdated(), "compares every image Kiln built with its base tag"
                + (settings.autoRebase() ? "; rebases those whose base moved" : "")));
        schedules.add(schedule("prune", settings.prune(), "applies the store's limits"));
        ctx.json(Map.of("schedules", schedules, "autoRebase", settings.autoRebase()));
    }

    private Map<String, Object> schedule(String name, Duration every, String does) {
        List<ScheduleRun> runs = history.runs(name, RUNS_SHOWN);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", name);
        view.put("every", every);
        view.put("does", does);
        view.put("runs", runs.stream().map(ServiceInfoRoutes::runView).toList());
        Instant next = null;
        if (every != null) {
            next = runs.isEmpty() ? null : Instant.ofEpochMilli(runs.get(0).startedAt()).plus(every);
        }
        view.put("nextRun", next);
        return view;
    }

    private static Map<String, Object> runView(ScheduleRun run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("startedAt", Instant.ofEpochMilli(run.startedAt()));
        view.put("finishedAt", Instant.ofEpochMilli(run.finishedAt()));
        view.put("replica", run.replica());
        view.put("found", run.found());
        view.put("did", run.did());
        view.put("error", run.error());
        return view;
    }

    /** Per hour: builds, bases served per cache level, bytes downloaded and bytes a cache saved uploading. */
    private void stats(Context ctx) {
        Long since = Routes.timeParam(ctx, "since");
        long from = since != null ? since : System.currentTimeMillis() - DEFAULT_STATS_WINDOW.toMillis();
        Map<Instant, Hour> hours = new TreeMap<>();
        for (BuildRecord build : history.since(from)) {
            Instant hour = Instant.ofEpochMilli(build.submittedAt()).truncatedTo(ChronoUnit.HOURS);
            hours.computeIfAbsent(hour, h -> new Hour()).add(build);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        hours.forEach((hour, figures) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("hour", hour);
            row.put("builds", figures.builds);
            row.put("levels", figures.levels);
            row.put("bytesDownloaded", figures.downloaded);
            row.put("bytesSaved", figures.saved);
            rows.add(row);
        });
        ctx.json(Map.of("since", Instant.ofEpochMilli(from), "hours", rows));
    }

    private static final class Hour {
        private int builds;
        private final Map<String, Integer> levels = new TreeMap<>();
        private long downloaded;
        private long saved;

        void add(BuildRecord build) {
            builds++;
            if (build.cacheLevel() != null) {
                levels.merge(build.cacheLevel(), 1, Integer::sum);
            }
            downloaded += build.bytesDownloaded() == null ? 0 : build.bytesDownloaded();
            saved += build.bytesSaved() == null ? 0 : build.bytesSaved();
        }
    }
}
