package dev.kiln.server.metrics;

import dev.kiln.api.BuildResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The service's meters, for {@code GET /metrics} (Prometheus text): builds by kind and outcome, build
 * durations, the queue, cache hits per level, bytes moved and the store's size.
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter misses;
    private final Counter downloaded;
    private final Counter uploaded;
    private final Timer durations;
    private final Map<String, AtomicLong> hitsSinceStart = new ConcurrentHashMap<>();

    /** Meters whose gauges read {@code queueLength} and {@code storeBytes} when scraped. */
    public ServerMetrics(Supplier<Number> queueLength, Supplier<Number> storeBytes) {
        Gauge.builder("kiln.queue.length", queueLength).description("builds waiting for a worker").register(registry);
        Gauge.builder("kiln.store.bytes", storeBytes).description("bytes in the local store").register(registry);
        misses = Counter.builder("kiln.cache.misses").description("bases that no cache level had").register(registry);
        downloaded = Counter.builder("kiln.bytes.downloaded").description("bytes downloaded by builds").register(registry);
        uploaded = Counter.builder("kiln.bytes.uploaded").description("bytes uploaded by builds").register(registry);
        durations = Timer.builder("kiln.build.duration").description("build time, from start to end").publishPercentileHistogram()
                .register(registry);
    }

    /** A build ended: {@code outcome} is its final status; {@code result} its figures when it succeeded. */
    public void buildFinished(String kind, String outcome, Duration duration, BuildResult result, String cacheLevel) {
        Counter.builder("kiln.builds").description("builds finished").tag("kind", kind).tag("outcome", outcome).register(registry).increment();
        durations.record(duration);
        if (result != null) {
            downloaded.increment(result.bytesDownloaded());
            uploaded.increment(result.bytesUploaded());
        }
        if (cacheLevel != null) {
            if (cacheLevel.equals("registry")) {
                misses.increment();
            } else {
                Counter.builder("kiln.cache.hits").description("bases served by a cache level").tag("level", cacheLevel)
                        .register(registry).increment();
                hitsSinceStart.computeIfAbsent(cacheLevel, l -> new AtomicLong()).incrementAndGet();
            }
        }
    }

    /** Bases that no cache level had (fetched from their registry) since the service started. */
    public long misses() {
        return (long) misses.count();
    }

    /** Cache hits per level since the service started. */
    public Map<String, Long> hitsSinceStart() {
        Map<String, Long> hits = new java.util.TreeMap<>();
        hitsSinceStart.forEach((level, n) -> hits.put(level, n.get()));
        return hits;
    }

    /** The meters in Prometheus's text format. */
    public String scrape() {
        return registry.scrape();
    }
}
