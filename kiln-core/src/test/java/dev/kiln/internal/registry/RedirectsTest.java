package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.error.RegistryException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The redirect layer alone, over the wire to two {@link TinyServer}s: a registry and a blob store on another port. */
class RedirectsTest {
    private static final String AUTHORIZATION = "Basic a2lsbjpzM2NyZXQ=";

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();
    private final Redirects redirects = new Redirects(TinyServer.wire());

    private Exchange.Request get(TinyServer registry, String path, String method) {
        return new Exchange.Request(registry.hostPort(), method, registry.uri(path), Map.of("Authorization", AUTHORIZATION),
                method.equals("POST") ? RequestBody.of("x") : null, "repository:app:pull", method + " " + path,
                new Telemetry(events::add));
    }

    @Test
    void aRedirectToAnotherHostIsFollowedWithoutCredentials() throws IOException {
        try (TinyServer store = TinyServer.start(seen -> TinyServer.Reply.of(200).body("blob"));
             TinyServer registry = TinyServer.start(seen -> TinyServer.Reply.of(307).header("Location", store.uri("/b/1").toString()))) {
            RegistryResponse response = redirects.send(get(registry, "/v2/app/blobs/sha256:1", "GET"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new String(response.body().readAllBytes())).isEqualTo("blob");
            assertThat(registry.seen()).singleElement().satisfies(seen -> assertThat(seen.header("Authorization")).hasValue(AUTHORIZATION));
            assertThat(store.seen()).singleElement().satisfies(seen -> assertThat(seen.header("Authorization")).isEmpty());
        }
    }

    @Test
    void aRedirectOnTheSameHostKeepsTheCredentialsAndARelativeLocationResolves() throws IOException {
        try (TinyServer registry = TinyServer.start(seen -> seen.uri().startsWith("/v2/")
                ? TinyServer.Reply.of(302).header("Location", "/elsewhere/1") : TinyServer.Reply.of(200))) {
            assertThat(redirects.send(get(registry, "/v2/app/blobs/sha256:1", "HEAD")).statusCode()).isEqualTo(200);

            assertThat(registry.seen()).extracting(TinyServer.Seen::uri).containsExactly("/v2/app/blobs/sha256:1", "/elsewhere/1");
            assertThat(registry.seen()).allSatisfy(seen -> assertThat(seen.header("Authorization")).hasValue(AUTHORIZATION));
        }
    }

    @Test
    void aHopBackToTheRegistryCarriesTheCredentialsAgain() throws IOException {
        java.util.concurrent.atomic.AtomicReference<TinyServer> away = new java.util.concurrent.atomic.AtomicReference<>();
        try (TinyServer registry = TinyServer.start(seen -> seen.uri().equals("/back") ? TinyServer.Reply.of(200)
                : TinyServer.Reply.of(302).header("Location", away.get().uri("/away").toString()));
             TinyServer other = TinyServer.start(seen -> TinyServer.Reply.of(301).header("Location", registry.uri("/back").toString()))) {
            away.set(other);
            assertThat(redirects.send(get(registry, "/v2/x", "GET")).statusCode()).isEqualTo(200);

            assertThat(registry.seen()).extracting(TinyServer.Seen::uri).containsExactly("/v2/x", "/back");
            assertThat(registry.seen()).allSatisfy(seen -> assertThat(seen.header("Authorization")).hasValue(AUTHORIZATION));
            assertThat(other.seen()).singleElement().satisfies(seen -> assertThat(seen.header("Authorization")).isEmpty());
        }
    }

    @Test
    void moreThanFiveRedirectsIsAnErrorWithTheStatus() {
        try (TinyServer registry = TinyServer.start(seen -> TinyServer.Reply.of(307).header("Location", "/loop"))) {
            assertThatThrownBy(() -> redirects.send(get(registry, "/v2/app/manifests/1", "GET")))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.status()).hasValue(307);
                        assertThat(e.registry()).hasValue(registry.hostPort());
                    })
                    .hasMessageContaining("redirected GET /v2/app/manifests/1 more than 5 times");
            assertThat(registry.seen()).hasSize(6);
        }
    }

    @Test
    void onlyGetAndHeadAreFollowed() throws IOException {
        try (TinyServer registry = TinyServer.start(seen -> TinyServer.Reply.of(307).header("Location", "/elsewhere"))) {
            assertThat(redirects.send(get(registry, "/v2/app/blobs/uploads/", "POST")).statusCode()).isEqualTo(307);
            assertThat(registry.seen()).hasSize(1);
        }
    }
}
