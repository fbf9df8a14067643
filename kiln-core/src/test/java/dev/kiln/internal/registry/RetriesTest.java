package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.error.RegistryException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.event.KilnEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry layer alone, over the wire to a {@link TinyServer}. */
class RetriesTest {
    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();

    private Retries retries(int maxAttempts, Map<String, Duration> failFast) {
        RegistryOptions options = RegistryOptions.defaults()
                .withRetry(new RegistryOptions.RetryPolicy(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(60)))
                .withFailFast(failFast);
        Wire wire = TinyServer.wire();
        return new Retries(options, request -> {
            attempts.incrementAndGet();
            return wire.send(request);
        });
    }

    @Test
    void serverErrorsAreRetriedUntilAnAnswerIsUsable() {
        AtomicInteger n = new AtomicInteger();
        try (TinyServer server = TinyServer.start(seen -> n.incrementAndGet() <= 2 ? TinyServer.Reply.of(503) : TinyServer.Reply.of(200))) {
            RegistryResponse response = retries(4, Map.of()).send(TinyServer.request(server.hostPort(), "GET",
                    server.uri("/v2/").toString(), events));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(server.seen()).hasSize(3);
            assertThat(events).filteredOn(KilnEvent.Retrying.class::isInstance).map(KilnEvent.Retrying.class::cast)
                    .extracting(KilnEvent.Retrying::attempt, KilnEvent.Retrying::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "HTTP 503"), org.assertj.core.groups.Tuple.tuple(3, "HTTP 503"));
        }
    }

    @Test
    void tooManyRequestsWaitsAsLongAsRetryAfterAsks() {
        AtomicInteger n = new AtomicInteger();
        try (TinyServer server = TinyServer.start(seen -> n.incrementAndGet() == 1
                ? TinyServer.Reply.of(429).header("Retry-After", "1") : TinyServer.Reply.of(200))) {
            long start = System.nanoTime();
            RegistryResponse response = retries(3, Map.of()).send(TinyServer.request(server.hostPort(), "GET",
                    server.uri("/v2/").toString(), events));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("Retry-After: 1 beats the 10 ms backoff")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(events).filteredOn(KilnEvent.Retrying.class::isInstance).map(KilnEvent.Retrying.class::cast)
                    .singleElement().satisfies(retry -> assertThat(retry.delay()).isEqualTo(Duration.ofSeconds(1)));
        }
    }

    @Test
    void persistentServerErrorsGiveUpAfterMaxAttemptsWithTheLastAnswer() {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(500))) {
            RegistryResponse response = retries(3, Map.of()).send(TinyServer.request(server.hostPort(), "GET",
                    server.uri("/v2/").toString(), events));

            assertThat(response.statusCode()).as("the caller interprets the status").isEqualTo(500);
            assertThat(server.seen()).hasSize(3);
        }
    }

    @Test
    void clientErrorsAreNotRetried() {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(404))) {
            RegistryResponse response = retries(3, Map.of()).send(TinyServer.request(server.hostPort(), "GET",
                    server.uri("/v2/").toString(), events));

            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(server.seen()).hasSize(1);
            assertThat(events).isEmpty();
        }
    }

    @Test
    void aRefusedConnectionIsRetriedThenNamedWithItsReason() throws IOException {
        String hostPort = "127.0.0.1:" + closedPort();

        assertThatThrownBy(() -> retries(3, Map.of()).send(TinyServer.request(hostPort, "GET", "http://" + hostPort + "/v2/", events)))
                .isInstanceOfSatisfying(RegistryUnreachableException.class, e -> {
                    assertThat(e.registry()).hasValue(hostPort);
                    assertThat(e.status()).isEmpty();
                    assertThat(e.isUnreachable()).isTrue();
                })
                .hasMessage("cannot reach registry " + hostPort + " for GET http://" + hostPort + "/v2/: connection refused (after 3 attempts)");
        assertThat(attempts).hasValue(3);
        assertThat(events).filteredOn(KilnEvent.Retrying.class::isInstance).hasSize(2);
    }

    @Test
    void anUnknownHostIsSaidSoAndNotRetried() {
        assertThatThrownBy(() -> retries(4, Map.of()).send(TinyServer.request("nonexistent.invalid", "GET",
                "http://nonexistent.invalid/v2/", events)))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.registry()).hasValue("nonexistent.invalid");
                    assertThat(e.status()).isEmpty();
                })
                .hasMessageContaining("unknown host nonexistent.invalid")
                .hasMessageContaining("registry nonexistent.invalid")
                .hasMessageNotContaining("attempts");
        assertThat(attempts).as("one attempt: DNS will not know the name any better in a second").hasValue(1);
        assertThat(events).isEmpty();
    }

    @Test
    void aFailFastHostGetsOneAttempt() throws IOException {
        String hostPort = "127.0.0.1:" + closedPort();

        assertThatThrownBy(() -> retries(4, Map.of(hostPort, Duration.ofSeconds(1)))
                .send(TinyServer.request(hostPort, "GET", "http://" + hostPort + "/v2/", events)))
                .isInstanceOf(RegistryUnreachableException.class)
                .hasMessageContaining("connection refused")
                .hasMessageNotContaining("attempts");
        assertThat(attempts).hasValue(1);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
