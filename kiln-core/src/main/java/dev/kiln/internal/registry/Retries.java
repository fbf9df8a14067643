package dev.kiln.internal.registry;

import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.event.KilnEvent;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;

/**
 * Retries transient failures — I/O errors and the statuses 429, 500, 502, 503, 504 — with the
 * {@link RegistryOptions.RetryPolicy}'s backoff, waiting at least as long as a {@code Retry-After}
 * asks. The last retryable answer is returned as it is; a request that never got an answer becomes a
 * {@link RegistryUnreachableException} naming the registry and the reason. A failed TLS verification
 * and an unknown host are not retried: trying again cannot change them. Hosts marked fail-fast
 * (mirrors, with another level behind them) get one attempt.
 */
final class Retries implements Exchange {
    private static final Set<Integer> RETRYABLE = Set.of(429, 500, 502, 503, 504);

    private final RegistryOptions.RetryPolicy policy;
    private final Set<String> failFast;
    private final Exchange next;

    /** Retries with {@code options}' policy, once only for its fail-fast hosts, around {@code next}. */
    Retries(RegistryOptions options, Exchange next) {
        this.policy = options.retry();
        this.failFast = options.failFast().keySet();
        this.next = next;
    }

    /** Never throws {@link IOException}: what is left of one after the last attempt is a {@link RegistryUnreachableException}. */
    @Override
    public RegistryResponse send(Request request) {
        String registry = request.registry();
        String what = request.what() + " on " + registry;
        int maxAttempts = failFast.contains(registry) ? 1 : policy.maxAttempts();
        for (int n = 1; ; n++) {
            String failure;
            Duration retryAfter = null;
            try {
                RegistryResponse response = next.send(request);
                if (!RETRYABLE.contains(response.statusCode()) || n >= maxAttempts || !repeatable(request)) {
                    return response;
                }
                failure = "HTTP " + response.statusCode();
                retryAfter = retryAfter(response.header("Retry-After").orElse(null));
                Bodies.discard(response);
            } catch (SSLHandshakeException e) {
                throw new RegistryUnreachableException("TLS verification failed for registry " + registry + " ("
                        + RegistryErrors.rootMessage(e) + "): trust its CA with --ca-file, or mark it --insecure-registry "
                        + registry, registry, 0, null, e);
            } catch (IOException e) {
                failure = describe(e, request.uri());
                if (isUnknownHost(e)) {
                    throw unreachable(request, failure, e);
                }
                if (n >= maxAttempts || !repeatable(request)) {
                    throw unreachable(request, n > 1 ? failure + " (after " + n + " attempts)" : failure, e);
                }
            }
            Duration delay = policy.delayBefore(n, retryAfter);
            request.telemetry().emit(new KilnEvent.Retrying(what, n + 1, delay, failure));
            sleep(delay, what);
        }
    }

    /** Whether the request can be sent again: a body streamed as it arrives cannot. */
    private static boolean repeatable(Request request) {
        return request.body() == null || request.body().repeatable();
    }

    private static RegistryUnreachableException unreachable(Request request, String failure, IOException e) {
        return new RegistryUnreachableException("cannot reach registry " + request.registry() + " for " + request.what() + ": "
                + failure, request.registry(), 0, null, e);
    }

    /** The reason in words: the OS's own for connection failures ("connection refused", "no route to host"). */
    static String describe(IOException e, URI uri) {
        if (isUnknownHost(e)) {
            return "unknown host " + uri.getHost();
        }
        if (e instanceof HttpTimeoutException || e instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof ConnectException && e.getMessage() == null) {
            return "connection refused";   // HttpClient's way of saying it (its causes name only channel states)
        }
        String reason = RegistryErrors.rootMessage(e);
        return e instanceof java.net.SocketException ? reason.toLowerCase(Locale.ROOT) : reason;
    }

    /** DNS has no such name: the JDK says so with UnknownHostException, or HttpClient with UnresolvedAddressException. */
    static boolean isUnknownHost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static void sleep(Duration delay, String what) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            throw Exchange.interrupted("the wait to retry " + what);
        }
    }

    /** {@code Retry-After} in seconds or as an HTTP date; null when absent or unusable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration until = Duration.between(Instant.now(), when.toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (RuntimeException unparseable) {
                return null;
            }
        }
    }
}
