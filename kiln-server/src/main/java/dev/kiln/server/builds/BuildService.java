package dev.kiln.server.builds;

import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.image.Reference;
import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.BuildStatus;
import dev.kiln.server.history.History;
import dev.kiln.server.history.StoredEvent;
import dev.kiln.server.http.Json;
import dev.kiln.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs submitted builds on one warm {@link Kiln}: at most {@code concurrency} at once, at most
 * {@code queueLimit} waiting (beyond, {@link QueueFullException}); builds of one tag one after the other,
 * in submission order. Every state change and event goes to the history through one writer thread, in
 * the order it happened.
 */
public final class BuildService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BuildService.class);

    private final Kiln kiln;
    private final History history;
    private final ServerMetrics metrics;
    private final String replica;
    private final int concurrency;
    private final int queueLimit;
    private final Consumer<BuildRecord> onFinished;
    private final ExecutorService workers;
    /** Every history write, in order: events are stored before the status that follows them. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> daemon(r, "kiln-history-writer"));
    private final ConcurrentLinkedQueue<StoredEvent> pendingEvents = new ConcurrentLinkedQueue<>();
    private final Map<String, Job> live = new ConcurrentHashMap<>();
    private final LinkedList<Job> waiting = new LinkedList<>();
    private final Set<String> runningTargets = new HashSet<>();
    private int running;
    private volatile boolean closing;

    /**
     * @param onFinished told of every finished build (from the writer thread, after it is stored)
     */
    public BuildService(Kiln kiln, History history, ServerMetrics metrics, String replica, int concurrency, int queueLimit,
                        Consumer<BuildRecord> onFinished) {
        this.kiln = kiln;
        this.history = history;
        this.metrics = metrics;
        this.replica = replica;
        this.concurrency = concurrency;
        this.queueLimit = queueLimit;
        this.onFinished = onFinished;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, r -> daemon(r, "kiln-build-" + threads.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    /** The build was refused: the queue is full. */
    public static final class QueueFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueueFullException(int limit) {
            super("the build queue is full (" + limit + " builds waiting); retry later");
        }
    }

    /**
     * Accepts a build: recorded as {@code queued}, run when a worker and its tag are free. {@code dir}
     * (may be {@code null}) holds its files and is removed when it ends.
     */
    public Job submit(String kind, String target, String submitter, String requestJson, Work work, Path dir) {
        String id = UUID.randomUUID().toString();
        Job job = new Job(id, kind, target, submitter, work, dir, new EventLog(id, this::store), new Job.Control());
        synchronized (this) {
            if (waiting.size() >= queueLimit && (running >= concurrency || runningTargets.contains(target))) {
                throw new QueueFullException(queueLimit);
            }
            long now = System.currentTimeMillis();
            // stored before the answer, and before any of its events: a client reads it as soon as it has the id
            history.insert(new BuildRecord(id, kind, BuildStatus.QUEUED.wire(), submitter, target, replica, requestJson, now, null, null,
                    null, null, null, null, null, null, null, null));
            live.put(id, job);
            job.events().append("Status", Json.write(Map.of("status", BuildStatus.QUEUED)));
            waiting.add(job);
            dispatch();
        }
        return job;
    }

    /** Builds waiting for a worker. */
    public synchronized int queueLength() {
        return waiting.size();
    }

    /** The build {@code id} if this replica is running it or has it waiting. */
    public Optional<Job> live(String id) {
        return Optional.ofNullable(live.get(id));
    }

    /** Cancels a build this replica has; false when it had already ended. */
    public boolean cancel(String id) {
        Job job = live.get(id);
        if (job == null) {
            return false;
        }
        boolean removed;
        synchronized (this) {
            removed = waiting.remove(job);
        }
        if (!job.control().cancel()) {
            return false;
        }
        if (removed) {
            end(job, BuildStatus.CANCELLED, "cancelled while queued", null, Duration.ZERO);
        }
        return true;
    }

    /** Starts waiting builds while workers are free, each only when no build of its tag runs. */
    private synchronized void dispatch() {
        Iterator<Job> next = waiting.iterator();
        while (running < concurrency && next.hasNext()) {
            Job job = next.next();
            if (runningTargets.add(job.target())) {
                next.remove();
                running++;
                workers.execute(() -> run(job));
            }
        }
    }

    private void run(Job job) {
        long start = System.nanoTime();
        try {
            if (!job.control().start()) {
                return;
            }
            long now = System.currentTimeMillis();
            write(() -> history.started(job.id(), now));
            job.events().append("Status", Json.write(Map.of("status", BuildStatus.RUNNING)));
            Work.Outcome outcome = null;
            String error = null;
            try {
                outcome = job.work().run(kiln, event -> job.events().append(event.getClass().getSimpleName(), Json.write(event)));
            } catch (RuntimeException e) {
                error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            boolean cancelled = job.control().finish();
            BuildStatus status = outcome != null ? BuildStatus.SUCCEEDED : cancelled ? BuildStatus.CANCELLED
                    : closing ? BuildStatus.INTERRUPTED : BuildStatus.FAILED;
            end(job, status, outcome != null ? null : cancelled ? "cancelled" : error, outcome, Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            LOG.error("build {} could not be recorded", job.id(), e);
        } finally {
            synchronized (this) {
                running--;
                runningTargets.remove(job.target());
                dispatch();
            }
        }
    }

    /** Records the build's end, in the history and the metrics, and lets it go. */
    private void end(Job job, BuildStatus status, String error, Work.Outcome outcome, Duration took) {
        BuildResult result = outcome == null ? null : outcome.build();
        String level = result == null || result.base() == null ? null : cacheLevel(result.base());
        Map<String, Object> statusEvent = new LinkedHashMap<>();
        statusEvent.put("status", status);
        if (error != null) {
            statusEvent.put("error", error);
        }
        job.events().append("Status", Json.write(statusEvent));
        metrics.buildFinished(job.kind(), status.wire(), took, result, level);
        long now = System.currentTimeMillis();
        write(() -> {
            history.finished(job.id(), status, now, error, outcome == null ? null : Json.write(outcome.result()),
                    result == null ? null : result.image(), result == null ? null : result.digest(), level,
                    result == null ? null : result.bytesDownloaded(), result == null ? null : result.bytesUploaded(),
                    result == null ? null : result.bytesSkipped() + result.bytesMounted());
            // the stream ends once the history has the final status: a client that reads the build next sees it
            job.events().close();
            live.remove(job.id());
            BuildServiceFiles.delete(job.dir());
            history.find(job.id()).ifPresent(record -> {
                try {
                    onFinished.accept(record);
                } catch (RuntimeException e) {
                    LOG.warn("after build {}: {}", job.id(), e.getMessage());
                }
            });
        });
        LOG.info("build {} ({} {}) {}{}", job.id(), job.kind(), job.target(), status, error == null ? "" : ": " + error);
    }

    /** Which cache level served the base: the store, a mirror, the Docker engine, or its registry (a miss). */
    static String cacheLevel(BuildResult.BaseInfo base) {
        return base.source() == null || base.source().equals("cache") ? "store" : fetchedFrom(base.source(), base.reference());
    }

    /**
     * The cache level {@code source} (a registry or mirror {@code host[:port]}, or {@code docker-daemon})
     * is for an image of {@code reference}: {@code daemon}, {@code mirror} or {@code registry} (its own).
     */
    public static String fetchedFrom(String source, String reference) {
        if (source.equals("docker-daemon")) {
            return "daemon";
        }
        return source.equals(Reference.parse(reference).registry()) ? "registry" : "mirror";
    }

    /** Queues an event for the history; the writer stores what is pending in one batch. */
    private void store(StoredEvent event) {
        pendingEvents.add(event);
        write(() -> {
            List<StoredEvent> batch = new ArrayList<>();
            for (StoredEvent e; (e = pendingEvents.poll()) != null; ) {
                batch.add(e);
            }
            history.append(batch);
        });
    }

    /** Runs {@code write} on the writer thread, after every write queued before it; a failure is logged, and the next writes go on. */
    private void write(Runnable write) {
        writer.execute(() -> {
            try {
                write.run();
            } catch (RuntimeException e) {
                LOG.error("history: {}", e.getMessage());
            }
        });
    }

    /** Stops taking builds; running builds are interrupted, and whatever is left is written to the history. */
    @Override
    public void close() {
        closing = true;
        List<Job> left;
        synchronized (this) {
            left = new ArrayList<>(waiting);
            waiting.clear();
        }
        left.forEach(job -> end(job, BuildStatus.INTERRUPTED, "the service stopped before the build started", null, Duration.ZERO));
        workers.shutdownNow();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.shutdown();
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
