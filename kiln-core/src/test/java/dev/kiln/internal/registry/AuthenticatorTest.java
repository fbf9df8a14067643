package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.internal.credentials.Credential;
import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.error.AuthenticationException;
import dev.kiln.event.KilnEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import dev.kiln.event.Telemetry;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * Authentication alone — Basic, and Bearer with its one token cache — over the wire to a
 * {@link TinyServer} that plays both the registry ({@code /v2/…}) and its token server ({@code /token}).
 */
class AuthenticatorTest {
    private static final String USER = "kiln";
    private static final String SECRET = "s3cret-pass";

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();
    private final Wire wire = TinyServer.wire();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    /** What the token server says besides the token. */
    private volatile String tokenFields = ",\"expires_in\":300";
    /** How long the token server takes to answer: long enough for concurrent requests to overlap with the fetch. */
    private volatile long tokenDelayMillis;
    /** How many token requests the token server answers 503 before it issues tokens again. */
    private final AtomicInteger unavailableTokens = new AtomicInteger();
    private final Telemetry telemetry = new Telemetry(events::add);
    private BearerTokens tokens;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private Authenticator authenticator(CredentialProvider credentials) {
        return authenticator(credentials, wire);
    }

    /** {@code tokenServer}: how tokens are fetched (the transport retries them). */
    private Authenticator authenticator(CredentialProvider credentials, Exchange tokenServer) {
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return now;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        tokens = new BearerTokens(tokenServer, clock);
        return new Authenticator(credentials, tokens, wire);
    }

    private static CredentialProvider credentials(String registry, String secret) {
        return host -> host.equals(registry) ? Optional.of(Credential.basic(USER, secret)) : Optional.empty();
    }

    /** A token registry: {@code /token} issues "token-N-for-SCOPE" to the right Basic credentials; {@code /v2/…} wants a token for its repository. */
    private TinyServer tokenRegistry() {
        String basic = basic(SECRET);
        return TinyServer.start(seen -> {
            if (seen.uri().startsWith("/token")) {
                if (!seen.header("Authorization").equals(Optional.of(basic))) {
                    return TinyServer.Reply.of(401).error("UNAUTHORIZED", "bad credentials");
                }
                String scopes = String.join("+", Pattern.compile("scope=([^&]*)").matcher(seen.uri()).results()
                        .map(m -> m.group(1)).toList());
                tokenRequests.add(seen.uri());
                if (unavailableTokens.getAndDecrement() > 0) {
                    return TinyServer.Reply.of(503).error("UNAVAILABLE", "try again");
                }
                pause(tokenDelayMillis);
                return TinyServer.Reply.of(200).body("{\"token\":\"token-" + tokensIssued.incrementAndGet() + "-for-"
                        + scopes + "\"" + tokenFields + "}");
            }
            String repository = seen.uri().replaceAll("^/v2/(.+)/manifests/.*$", "$1");
            boolean allowed = seen.header("Authorization").orElse("").matches("Bearer token-\\d+-for-(.*\\+)?repository%3A"
                    + repository + "%3Apull(%2Cpush)?(\\+.*)?");
            return allowed ? TinyServer.Reply.of(200) : TinyServer.Reply.of(401)
                    .header("WWW-Authenticate", "Bearer realm=\"http://" + seen.header("Host").orElseThrow() + "/token\",service=\"tiny\"")
                    .error("UNAUTHORIZED", "authentication required");
        });
    }

    private Exchange.Request manifest(TinyServer server, String repository) {
        return new Exchange.Request(server.hostPort(), "GET", server.uri("/v2/" + repository + "/manifests/1"), Map.of(), null,
                "repository:" + repository + ":pull", "manifest GET " + repository, telemetry);
    }

    @Test
    void concurrentRequestsNeedingATokenWaitForOneFetch() throws Exception {
        try (TinyServer server = tokenRegistry()) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));
            authenticator.send(manifest(server, "first"));   // the challenge is known from now on
            tokenDelayMillis = 300;
            int requests = 8;
            CyclicBarrier start = new CyclicBarrier(requests);
            ExecutorService threads = Executors.newFixedThreadPool(requests);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    statuses.add(threads.submit(() -> {
                        start.await();
                        return authenticator.send(manifest(server, "app")).statusCode();
                    }));
                }
                for (Future<Integer> status : statuses) {
                    assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(200);
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(tokenRequests).as("one token for the first repository, one for the eight concurrent requests")
                    .hasSize(2);
        }
    }

    @Test
    void aRequestWaitingForAnotherThreadsTokenFetchAsksAgainWhenThatThreadIsStopped() throws Exception {
        try (TinyServer server = tokenRegistry()) {
            RegistryOptions.RetryPolicy slow = new RegistryOptions.RetryPolicy(4, Duration.ofSeconds(20), Duration.ofSeconds(20),
                    Duration.ofSeconds(20));
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET),
                    new Retries(RegistryOptions.defaults().withRetry(slow), wire));
            authenticator.send(manifest(server, "first"));   // the challenge is known from now on
            unavailableTokens.set(1);   // the next fetch waits to retry: it is stopped there

            CompletableFuture<Integer> stopped = new CompletableFuture<>();
            Thread fetching = new Thread(() -> call(authenticator, server, stopped));
            fetching.start();
            while (events.stream().noneMatch(e -> e instanceof KilnEvent.Retrying)) {
                Thread.onSpinWait();
            }
            CompletableFuture<Integer> waiting = new CompletableFuture<>();
            Thread waiter = new Thread(() -> call(authenticator, server, waiting));
            waiter.start();
            while (waiter.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            fetching.interrupt();

            assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            assertThatThrownBy(() -> stopped.get(30, TimeUnit.SECONDS)).hasRootCauseMessage(
                    "interrupted during the wait to retry token request to 127.0.0.1 on " + server.hostPort());
            assertThat(tokenRequests).as("the first token, the fetch that was stopped, the waiter's own").hasSize(3);
        }
    }

    private void call(Authenticator authenticator, TinyServer server, CompletableFuture<Integer> status) {
        try {
            status.complete(authenticator.send(manifest(server, "app")).statusCode());
        } catch (IOException | RuntimeException e) {
            status.completeExceptionally(e);
        }
    }

    @Test
    void theFirstTokenCoversEveryScopeTheOperationExpectsAndServesThemAll() throws IOException {
        try (TinyServer server = tokenRegistry()) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));
            tokens.expect(telemetry, server.hostPort(), "repository:base:pull");
            tokens.expect(telemetry, server.hostPort(), "repository:app:pull,push");

            authenticator.send(manifest(server, "base"));
            authenticator.send(manifest(server, "app"));
            authenticator.send(new Exchange.Request(server.hostPort(), "GET", server.uri("/v2/app/manifests/2"), Map.of(), null,
                    "repository:app:pull,push repository:base:pull", "blob mount", telemetry));

            assertThat(tokenRequests).containsExactly("/token?service=tiny&scope=repository%3Abase%3Apull"
                    + "&scope=repository%3Aapp%3Apull%2Cpush");
            Telemetry another = new Telemetry(null);
            authenticator.send(new Exchange.Request(server.hostPort(), "GET", server.uri("/v2/app/manifests/3"), Map.of(), null,
                    "repository:app:pull", "manifest GET app", another));
            assertThat(tokenRequests).as("another operation within the token's lifetime").hasSize(1);
        }
    }

    @Test
    void aTokenWithoutALifetimeIsReusedForTheSpecsSixtySecondsLessAMargin() throws IOException {
        tokenFields = "";
        try (TinyServer server = tokenRegistry()) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));
            authenticator.send(manifest(server, "app"));
            now = now.plusSeconds(49);
            authenticator.send(manifest(server, "app"));
            assertThat(tokensIssued).hasValue(1);
            now = now.plusSeconds(1);
            authenticator.send(manifest(server, "app"));
            assertThat(tokensIssued).as("renewed 10 s before its end").hasValue(2);
        }
    }

    @Test
    void aTokenLivesFromItsIssuedAtButNeverFromOutsideTheExchange() {
        Instant sent = Instant.parse("2026-01-01T00:00:00Z");
        Instant received = sent.plusSeconds(2);
        assertThat(BearerTokens.issued("2026-01-01T00:00:01.5Z", sent, received)).isEqualTo(sent.plusMillis(1500));
        assertThat(BearerTokens.issued("2026-01-01T01:00:00+01:00", sent, received)).isEqualTo(sent);
        assertThat(BearerTokens.issued("2025-12-31T23:00:00Z", sent, received)).as("a server clock behind").isEqualTo(sent);
        assertThat(BearerTokens.issued("2026-01-01T05:00:00Z", sent, received)).as("a server clock ahead").isEqualTo(received);
        assertThat(BearerTokens.issued("", sent, received)).isEqualTo(received);
    }

    @Test
    void a401BearerChallengeFetchesATokenAndTheRequestIsRepeatedWithIt() throws IOException {
        try (TinyServer server = tokenRegistry()) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));

            assertThat(authenticator.send(manifest(server, "app")).statusCode()).isEqualTo(200);

            assertThat(server.seen()).extracting(TinyServer.Seen::uri).containsExactly("/v2/app/manifests/1",
                    "/token?service=tiny&scope=repository%3Aapp%3Apull", "/v2/app/manifests/1");
            assertThat(server.seen().get(2).header("Authorization")).hasValue("Bearer token-1-for-repository%3Aapp%3Apull");
        }
    }

    @Test
    void theCachedTokenIsSentUpFrontUntilItExpires() throws IOException {
        try (TinyServer server = tokenRegistry()) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));
            authenticator.send(manifest(server, "app"));
            int before = server.seen().size();

            assertThat(authenticator.send(manifest(server, "app")).statusCode()).isEqualTo(200);
            assertThat(server.seen().subList(before, server.seen().size())).as("no 401 round trip, no token request")
                    .extracting(TinyServer.Seen::uri).containsExactly("/v2/app/manifests/1");
            assertThat(tokensIssued).hasValue(1);

            now = now.plus(Duration.ofSeconds(300));
            assertThat(authenticator.send(manifest(server, "app")).statusCode()).isEqualTo(200);
            assertThat(tokensIssued).as("an expired token is replaced before it is sent").hasValue(2);
        }
    }

    @Test
    void tokensAreCachedPerScope() throws IOException {
        try (TinyServer server = tokenRegistry()) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));
            authenticator.send(manifest(server, "one"));
            authenticator.send(manifest(server, "two"));
            authenticator.send(manifest(server, "one"));
            authenticator.send(manifest(server, "two"));

            assertThat(tokensIssued).as("one token per scope").hasValue(2);
            assertThat(server.seen()).filteredOn(seen -> seen.uri().startsWith("/v2/"))
                    .extracting(seen -> seen.header("Authorization").orElse("none")).containsExactly(
                            "none",
                            "Bearer token-1-for-repository%3Aone%3Apull",
                            // the realm is known now: the other scope's token is fetched before its first request
                            "Bearer token-2-for-repository%3Atwo%3Apull",
                            "Bearer token-1-for-repository%3Aone%3Apull",
                            "Bearer token-2-for-repository%3Atwo%3Apull");
        }
    }

    @Test
    void aTokenServerRefusingTheCredentialsIsAnAuthenticationErrorWithItsStatus() {
        try (TinyServer server = tokenRegistry()) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), "wrong-" + SECRET));

            assertThatThrownBy(() -> authenticator.send(manifest(server, "app")))
                    .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                        assertThat(e.registry()).hasValue(server.hostPort());
                        assertThat(e.status()).hasValue(401);
                        assertThat(e.code()).hasValue("UNAUTHORIZED");
                    })
                    .hasMessage("token server of " + server.hostPort() + " rejected the credentials of '" + USER + "' (401)");
        }
    }

    @Test
    void basicCredentialsAreSentAfterTheChallengeAndThenUpFront() throws IOException {
        String basic = basic(SECRET);
        try (TinyServer server = TinyServer.start(seen -> seen.header("Authorization").equals(Optional.of(basic))
                ? TinyServer.Reply.of(200)
                : TinyServer.Reply.of(401).header("WWW-Authenticate", "Basic realm=\"tiny\"").error("UNAUTHORIZED", "who?"))) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));
            assertThat(authenticator.send(manifest(server, "app")).statusCode()).isEqualTo(200);
            assertThat(authenticator.send(manifest(server, "app")).statusCode()).isEqualTo(200);

            assertThat(server.seen()).extracting(seen -> seen.header("Authorization").orElse("none"))
                    .containsExactly("none", basic, basic);
        }
    }

    @Test
    void rejectedCredentialsCarryRegistryStatusAndCodeAndNameTheUserOnly() {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(401)
                .header("WWW-Authenticate", "Basic realm=\"tiny\"").error("UNAUTHORIZED", "who?"))) {
            Authenticator authenticator = authenticator(credentials(server.hostPort(), SECRET));

            assertThatThrownBy(() -> authenticator.send(manifest(server, "app")))
                    .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                        assertThat(e.registry()).hasValue(server.hostPort());
                        assertThat(e.status()).hasValue(401);
                        assertThat(e.code()).hasValue("UNAUTHORIZED");
                        assertThat(e.isAuthentication()).isTrue();
                    })
                    .hasMessage("registry " + server.hostPort() + " rejected the credentials of '" + USER + "' for manifest GET app (401)");
            assertThat(server.seen()).hasSize(2);
        }
    }

    @Test
    void noCredentialsForABasicRegistryIsOneRequestAndAClearError() {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(401)
                .header("WWW-Authenticate", "Basic realm=\"tiny\"").error("UNAUTHORIZED", "who?"))) {
            Authenticator authenticator = authenticator(CredentialProvider.none());

            assertThatThrownBy(() -> authenticator.send(manifest(server, "app")))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessage("registry " + server.hostPort() + " requires authentication for manifest GET app (401)"
                            + " and no credentials are configured for it");
            assertThat(server.seen()).hasSize(1);
        }
    }

    @Test
    void a403IsAnAuthenticationErrorWithTheRegistrysWords() {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(403).error("DENIED", "no pushing here"))) {
            assertThatThrownBy(() -> authenticator(CredentialProvider.none()).send(manifest(server, "app")))
                    .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                        assertThat(e.status()).hasValue(403);
                        assertThat(e.code()).hasValue("DENIED");
                    })
                    .hasMessageContaining("denied manifest GET app (403, DENIED: no pushing here)");
        }
    }

    @Test
    void otherStatusesPassThrough() throws IOException {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(404).error("MANIFEST_UNKNOWN", "no"))) {
            assertThat(authenticator(CredentialProvider.none()).send(manifest(server, "app")).statusCode()).isEqualTo(404);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String basic(String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((USER + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
}
