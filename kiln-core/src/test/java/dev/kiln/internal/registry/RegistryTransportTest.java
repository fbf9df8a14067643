package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RegistryTransportTest {

    @Test
    void retryAfterInSeconds() {
        assertThat(Retries.retryAfter("1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(Retries.retryAfter(" 120 ")).isEqualTo(Duration.ofSeconds(120));
        assertThat(Retries.retryAfter("0")).isEqualTo(Duration.ZERO);
        assertThat(Retries.retryAfter("-5")).as("negative means now").isEqualTo(Duration.ZERO);
    }

    @Test
    void retryAfterAsHttpDate() {
        String inAnHour = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));
        Duration wait = Retries.retryAfter(inAnHour);
        assertThat(wait).isNotNull();
        assertThat(wait).isGreaterThan(Duration.ofMinutes(58)).isLessThanOrEqualTo(Duration.ofHours(1));

        assertThat(Retries.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT")).as("a past date means now")
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void unusableRetryAfterIsIgnored() {
        assertThat(Retries.retryAfter(null)).isNull();
        assertThat(Retries.retryAfter("")).isNull();
        assertThat(Retries.retryAfter("  ")).isNull();
        assertThat(Retries.retryAfter("soon")).isNull();
        assertThat(Retries.retryAfter("1.5")).isNull();
        assertThat(Retries.retryAfter("Sunday, 06-Nov-94 08:49:37")).isNull();
    }

    @RepeatedTest(20)
    void backoffHonoursRetryAfterUpToItsCap() {
        RegistryOptions.RetryPolicy policy = new RegistryOptions.RetryPolicy(3, Duration.ofMillis(10), Duration.ofSeconds(4),
                Duration.ofSeconds(60));
        Duration plain = policy.delayBefore(1, null);
        assertThat(plain).isBetween(Duration.ofMillis(5), Duration.ofMillis(10));
        assertThat(policy.delayBefore(1, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayBefore(1, Duration.ofHours(2))).as("capped at maxRetryAfter").isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delayBefore(3, Duration.ZERO)).as("the backoff wins when longer")
                .isBetween(Duration.ofMillis(20), Duration.ofMillis(40));
    }

    @Test
    void absurdRetryAfterIsCappedRatherThanOverflowing() {
        Duration huge = Retries.retryAfter(String.valueOf(Long.MAX_VALUE));
        assertThat(RegistryOptions.RetryPolicy.DEFAULT.delayBefore(1, huge))
                .isEqualTo(RegistryOptions.RetryPolicy.DEFAULT.maxRetryAfter());
    }

    @Test
    void plainHttpOnlyForLoopbackAndInsecureRegistries() {
        RegistryOptions options = RegistryOptions.defaults().withInsecureRegistries(Set.of("build.lan:5000"));
        SchemeProbe transport = new SchemeProbe(options::isInsecure, null);
        assertThat(transport.plainAllowed("127.0.0.1:5000")).isTrue();
        assertThat(transport.plainAllowed("localhost:5000")).isTrue();
        assertThat(transport.plainAllowed("localhost")).isTrue();
        assertThat(transport.plainAllowed("[::1]:5000")).isTrue();
        assertThat(transport.plainAllowed("build.lan:5000")).isTrue();
        assertThat(transport.plainAllowed("build.lan:5001")).isFalse();
        assertThat(transport.plainAllowed("docker.io")).isFalse();
        assertThat(transport.plainAllowed("localhost.example.com:5000")).isFalse();
        assertThat(transport.plainAllowed("127.example.com")).as("a name starting with 127. is not loopback").isFalse();
    }

    @Test
    void theLayersComposeAuthRetryRedirectAndCountingInOneCall() {
        java.util.concurrent.atomic.AtomicInteger blobGets = new java.util.concurrent.atomic.AtomicInteger();
        try (TinyServer store = TinyServer.start(seen -> TinyServer.Reply.of(200).body("blob"));
             TinyServer registry = TinyServer.start(seen -> {
                 if (seen.uri().startsWith("/token")) {
                     return TinyServer.Reply.of(200).body("{\"token\":\"t1\"}");
                 }
                 if (!seen.header("Authorization").equals(java.util.Optional.of("Bearer t1"))) {
                     return TinyServer.Reply.of(401).header("WWW-Authenticate",
                             "Bearer realm=\"http://" + seen.header("Host").orElseThrow() + "/token\"");
                 }
                 return blobGets.incrementAndGet() == 1 ? TinyServer.Reply.of(503)
                         : TinyServer.Reply.of(307).header("Location", store.uri("/blob").toString());
             })) {
            RegistryTransport transport = new RegistryTransport(RegistryOptions.defaults().withRetry(
                    new RegistryOptions.RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1))),
                    dev.kiln.internal.credentials.CredentialProvider.none());
            dev.kiln.event.Telemetry telemetry = new dev.kiln.event.Telemetry(null);

            RegistryResponse response = transport.send(RegistryTransport.Call.of(registry.hostPort(), "GET",
                    "app/blobs/sha256:1", "repository:app:pull", "blob GET 1"), telemetry);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(registry.seen()).extracting(TinyServer.Seen::uri).containsExactly("/v2/app/blobs/sha256:1",
                    "/token?scope=repository%3Aapp%3Apull", "/v2/app/blobs/sha256:1", "/v2/app/blobs/sha256:1");
            assertThat(store.seen()).singleElement().satisfies(seen -> assertThat(seen.header("Authorization")).isEmpty());
            assertThat(telemetry.requests()).as("every request either server saw").isEqualTo(5);
        }
    }

    @Test
    void anUnknownHostIsOneAttemptAndSaysSo() {
        java.util.List<dev.kiln.event.KilnEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.kiln.event.Telemetry telemetry = new dev.kiln.event.Telemetry(events::add);
        RegistryTransport transport = new RegistryTransport(RegistryOptions.defaults(), dev.kiln.internal.credentials.CredentialProvider.none());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> transport.send(RegistryTransport.Call.of("nonexistent.invalid",
                        "GET", "app/manifests/1", "repository:app:pull", "manifest GET nonexistent.invalid/app:1"), telemetry))
                .isInstanceOfSatisfying(dev.kiln.error.RegistryUnreachableException.class, e -> {
                    assertThat(e.registry()).hasValue("nonexistent.invalid");
                    assertThat(e.status()).isEmpty();
                })
                .hasMessage("cannot reach registry nonexistent.invalid for manifest GET nonexistent.invalid/app:1:"
                        + " unknown host nonexistent.invalid");
        assertThat(events).as("no retry").isEmpty();
    }
}
