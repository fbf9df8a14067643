package dev.kiln.server.schedule;

import dev.kiln.server.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code server.notify.webhook}: one JSON POST per finished build and per base move, sent from a thread
 * of its own (never blocking builds), retried with doubling backoff when the receiver fails or cannot be
 * reached. The URL may carry a secret: logs name only its host.
 */
public final class Webhook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
    static final int MAX_ATTEMPTS = 5;

    private final URI url;
    private final Duration firstBackoff;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "kiln-webhook");
        thread.setDaemon(true);
        return thread;
    });

    /** Posts to {@code url}; a failed POST is retried after {@code firstBackoff}, then twice as long each time. */
    public Webhook(String url, Duration firstBackoff) {
        this.url = URI.create(url);
        this.firstBackoff = firstBackoff;
    }

    /** Sends {@code payload} as JSON, in the background. */
    public void send(Object payload) {
        String body = Json.write(payload);
        sender.execute(() -> attempt(body, 1));
    }

    private void attempt(String body, int attempt) {
        int status;
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (status >= 200 && status < 300) {
            return;
        }
        if (attempt >= MAX_ATTEMPTS) {
            LOG.warn("webhook at {}: gave up after {} attempts (last: {})", url.getHost(), attempt, status < 0 ? "unreachable" : status);
            return;
        }
        long delay = firstBackoff.toMillis() << (attempt - 1);
        sender.schedule(() -> attempt(body, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
