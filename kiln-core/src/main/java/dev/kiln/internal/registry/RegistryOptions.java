package dev.kiln.internal.registry;

import dev.kiln.image.HostPattern;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How Kiln talks to registries.
 *
 * @param insecureRegistries hosts ({@code host[:port]}, or {@link HostPattern globs}) that may be reached over
 *                           plain HTTP or TLS without verification, as Docker's {@code --insecure-registry}
 * @param caFiles            per registry host (or glob), a PEM file of extra CA certificates to trust
 * @param retry              backoff for transient failures (I/O errors, 5xx, 429)
 * @param connectTimeout     TCP connect timeout
 * @param requestTimeout     time to wait for response headers, and for each read of a body
 * @param uploadChunkSize    blobs larger than this are uploaded in chunks of this size (PATCH), smaller
 *                           ones in one request; by default every blob goes in one request
 * @param failFast           hosts with another level behind them (mirrors): their own, shorter, connect and
 *                           read timeout, and no retries, because the next level is the retry
 */
public record RegistryOptions(
        Set<String> insecureRegistries,
        Map<String, Path> caFiles,
        RetryPolicy retry,
        Duration connectTimeout,
        Duration requestTimeout,
        long uploadChunkSize,
        Map<String, Duration> failFast) {

    /**
     * No chunks: every blob in one request (POST, then PUT with the body), as registries take them from
     * Docker and skopeo. A PATCH can only go through {@link java.net.http.HttpClient}, whose input-stream
     * pipeline moved a 132 MB base layer at 60-80 MB/s where the one PUT moves it at the registry's own
     * speed; chunks are for registries behind a proxy that limits request bodies.
     */
    public static final long DEFAULT_UPLOAD_CHUNK_SIZE = Long.MAX_VALUE;

    public RegistryOptions {
        insecureRegistries = Set.copyOf(insecureRegistries);
        caFiles = Collections.unmodifiableMap(new LinkedHashMap<>(caFiles));
        failFast = Map.copyOf(failFast);
    }

    public static RegistryOptions defaults() {
        return new RegistryOptions(Set.of(), Map.of(), RetryPolicy.DEFAULT, Duration.ofSeconds(10), Duration.ofSeconds(60),
                DEFAULT_UPLOAD_CHUNK_SIZE, Map.of());
    }

    public RegistryOptions withInsecureRegistries(Set<String> hosts) {
        return new RegistryOptions(hosts, caFiles, retry, connectTimeout, requestTimeout, uploadChunkSize, failFast);
    }

    public RegistryOptions withCaFiles(Map<String, Path> files) {
        return new RegistryOptions(insecureRegistries, files, retry, connectTimeout, requestTimeout, uploadChunkSize, failFast);
    }

    public RegistryOptions withRetry(RetryPolicy policy) {
        return new RegistryOptions(insecureRegistries, caFiles, policy, connectTimeout, requestTimeout, uploadChunkSize, failFast);
    }

    public RegistryOptions withUploadChunkSize(long bytes) {
        return new RegistryOptions(insecureRegistries, caFiles, retry, connectTimeout, requestTimeout, bytes, failFast);
    }

    public RegistryOptions withTimeouts(Duration connect, Duration request) {
        return new RegistryOptions(insecureRegistries, caFiles, retry, connect, request, uploadChunkSize, failFast);
    }

    /** {@code hosts}: per {@code host[:port]}, its timeout; see {@link #failFast()}. */
    public RegistryOptions withFailFast(Map<String, Duration> hosts) {
        return new RegistryOptions(insecureRegistries, caFiles, retry, connectTimeout, requestTimeout, uploadChunkSize, hosts);
    }

    /** Whether {@code authority} was marked insecure, by name or by a glob. */
    public boolean isInsecure(String authority) {
        return HostPattern.anyMatches(insecureRegistries.stream().map(HostPattern::of).toList(), authority);
    }

    /** The extra CA file for {@code authority}: the most specific matching entry. */
    public Optional<Path> caFile(String authority) {
        return HostPattern.best(caFiles.entrySet().stream().collect(Collectors.toMap(e -> HostPattern.of(e.getKey()),
                Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new)), authority);
    }

    /**
     * Exponential backoff: attempt n waits {@code initial × 2^(n-1)}, capped at {@code max}, with
     * jitter; a server's {@code Retry-After} wins when it asks for longer, up to {@code maxRetryAfter}.
     */
    public record RetryPolicy(int maxAttempts, Duration initial, Duration max, Duration maxRetryAfter) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(4), Duration.ofSeconds(60));

        public Duration delayBefore(int attempt, Duration retryAfter) {
            long base = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt - 1, 20));
            long jittered = base / 2 + (long) (Math.random() * (base / 2.0 + 1));
            if (retryAfter != null) {
                Duration wanted = retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
                return Duration.ofMillis(Math.max(jittered, wanted.toMillis()));
            }
            return Duration.ofMillis(jittered);
        }
    }
}
