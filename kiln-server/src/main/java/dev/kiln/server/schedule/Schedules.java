package dev.kiln.server.schedule;

import dev.kiln.api.Kiln;
import dev.kiln.api.OutdatedImage;
import dev.kiln.api.PruneRequest;
import dev.kiln.api.PruneResult;
import dev.kiln.api.RefreshedImage;
import dev.kiln.server.builds.FileStore;
import dev.kiln.server.history.History;
import dev.kiln.server.history.ScheduleRun;
import dev.kiln.server.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The service's own periodic work: {@code refresh} (one HEAD per cached tag, pulling what moved),
 * {@code outdated} (every image Kiln built against its base tag; moved bases are announced, and rebased
 * when {@code autoRebase} is on), {@code prune} (the store's limits) and {@code retention} (the history's
 * limits, and held files unused as long). Each run is recorded in the history: when, what it found, what it did.
 */
public final class Schedules implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);
    /** How often the history's retention runs. */
    static final Duration RETENTION_PERIOD = Duration.ofHours(1);

    /** What a run found and did, in words, for the history. */
    public record Report(String found, String did) {
    }

    private record Schedule(String name, Duration period, Supplier<Report> run) {
    }

    private final Map<String, Schedule> schedules = new LinkedHashMap<>();
    private final Map<String, Instant> nextRuns = new java.util.concurrent.ConcurrentHashMap<>();
    private final History history;
    private final String replica;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "kiln-schedules");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param onMoved     told of every image whose base moved (announce it, rebase it)
     * @param keepDays    the history keeps builds this long
     * @param keepBuilds  and at most this many
     * @param storeLimits the prune run's limits ({@code null}: only what nothing references)
     * @param files       the files held by digest, removed by retention when unused for {@code keepDays}
     */
    public Schedules(Kiln kiln, History history, String replica, Duration refresh, Duration outdated, Duration prune,
                     Consumer<OutdatedImage> onMoved, int keepDays, int keepBuilds, PruneRequest storeLimits, FileStore files) {
        this.history = history;
        this.replica = replica;
        add("refresh", refresh, () -> {
            List<RefreshedImage> refreshed = kiln.refresh(List.of());
            long moved = refreshed.stream().filter(RefreshedImage::moved).count();
            return new Report(refreshed.size() + " cached tags checked", moved == 0 ? "nothing moved"
                    : "pulled " + moved + ": " + String.join(", ", refreshed.stream().filter(RefreshedImage::moved)
                    .map(r -> r.reference() + " " + r.platform()).toList()));
        });
        add("outdated", outdated, () -> {
            List<OutdatedImage> images = kiln.outdated();
            List<OutdatedImage> moved = images.stream().filter(OutdatedImage::moved).toList();
            moved.forEach(onMoved);
            long failed = images.stream().filter(OutdatedImage::failed).count();
            return new Report(images.size() + " built images, " + moved.size() + " on a moved base" + (failed > 0 ? ", " + failed + " not checked" : ""),
                    moved.isEmpty() ? "nothing" : "announced " + String.join(", ", moved.stream().map(OutdatedImage::image).toList()));
        });
        add("prune", prune, () -> {
            PruneResult result = kiln.prune(storeLimits != null ? storeLimits : PruneRequest.unreferencedOnly());
            return new Report(result.bytesBefore() + " bytes in the store", "removed " + result.removed().size() + " images, "
                    + result.blobsRemoved() + " blobs, " + result.bytesFreed() + " bytes");
        });
        add("retention", RETENTION_PERIOD, () -> {
            long before = System.currentTimeMillis() - Duration.ofDays(keepDays).toMillis();
            long removed = history.prune(before, keepBuilds);
            int held = files.prune(before);
            return new Report("builds older than " + keepDays + " days or beyond the newest " + keepBuilds + ", held files unused as long",
                    "removed " + removed + " builds, " + held + " files");
        });
    }

    private void add(String name, Duration period, Supplier<Report> run) {
        if (period != null) {
            schedules.put(name, new Schedule(name, period, run));
        }
    }

    /** Starts every schedule: each first runs one period from now (retention: now). */
    public void start() {
        for (Schedule s : schedules.values()) {
            long first = s.name().equals("retention") ? 0 : s.period().toMillis();
            nextRuns.put(s.name(), Instant.now().plusMillis(first));
            timer.scheduleAtFixedRate(() -> {
                nextRuns.put(s.name(), Instant.now().plus(s.period()));
                runLogged(s);
            }, first, s.period().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void runLogged(Schedule s) {
        try {
            run(s.name());
        } catch (RuntimeException e) {
            LOG.warn("schedule {}: {}", s.name(), e.getMessage());
        }
    }

    /** Runs {@code name} now (also what the timer does), records the run and returns it. */
    public synchronized ScheduleRun run(String name) {
        Schedule s = schedules.get(name);
        if (s == null) {
            throw ApiException.notFound("no schedule " + name + "; configured: " + String.join(", ", schedules.keySet()));
        }
        long start = System.currentTimeMillis();
        ScheduleRun run;
        try {
            Report report = s.run().get();
            run = new ScheduleRun(name, replica, start, System.currentTimeMillis(), report.found(), report.did(), null);
        } catch (RuntimeException e) {
            run = new ScheduleRun(name, replica, start, System.currentTimeMillis(), null, null, e.getMessage());
        }
        history.record(run);
        return run;
    }

    /** Each schedule: its period, next run and last runs (newest first). */
    public List<Map<String, Object>> describe(int lastRuns) {
        return schedules.values().stream().map(s -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", s.name());
            view.put("period", s.period());
            view.put("nextRun", nextRuns.get(s.name()));
            view.put("lastRuns", history.runs(s.name(), lastRuns).stream().map(r -> {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("startedAt", Instant.ofEpochMilli(r.startedAt()));
                run.put("finishedAt", Instant.ofEpochMilli(r.finishedAt()));
                run.put("replica", r.replica());
                run.put("found", r.found());
                run.put("did", r.did());
                run.put("error", r.error());
                return run;
            }).toList());
            return view;
        }).toList();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
