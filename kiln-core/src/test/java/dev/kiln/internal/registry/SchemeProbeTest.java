package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.event.KilnEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * The scheme layer alone, over the wire to a plain-HTTP {@link TinyServer}. A registry's name and
 * the address its requests go to are separate in a request, so a "remote" registry can be served
 * here on loopback.
 */
class SchemeProbeTest {
    private static final String TLS_ONLY = "Client sent an HTTP request to an HTTPS server.\n";

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();
    private final List<URI> sent = new CopyOnWriteArrayList<>();
    private final Wire wire = TinyServer.wire();

    private SchemeProbe probe(Set<String> insecure, Exchange next) {
        return new SchemeProbe(insecure::contains, request -> {
            sent.add(request.uri());
            return next.send(request);
        });
    }

    private Exchange.Request apiRequest(String registry, TinyServer server, String method) {
        return TinyServer.request(registry, method, "//" + server.hostPort() + "/v2/app/manifests/1", events);
    }

    @Test
    void aLoopbackRegistryIsAskedOverPlainHttpFirstAndTheChoiceIsKept() throws IOException {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(200))) {
            SchemeProbe probe = probe(Set.of(), wire);
            assertThat(probe.send(apiRequest(server.hostPort(), server, "GET")).statusCode()).isEqualTo(200);
            assertThat(probe.send(apiRequest(server.hostPort(), server, "GET")).statusCode()).isEqualTo(200);

            assertThat(sent).extracting(URI::getScheme).containsExactly("http", "http");
            assertThat(server.seen()).hasSize(2);
        }
    }

    @Test
    void anInsecureRegistryAnsweringTheTlsHelloInPlainTextIsSwitchedToHttp() throws IOException {
        try (TinyServer.Blunt server = new TinyServer.Blunt()) {
            SchemeProbe probe = probe(Set.of("build.lan:5000"), wire);
            String uri = "//" + server.hostPort() + "/v2/app/manifests/1";
            assertThat(probe.send(TinyServer.request("build.lan:5000", "GET", uri, events)).statusCode()).isEqualTo(200);
            assertThat(probe.send(TinyServer.request("build.lan:5000", "GET", uri, events)).statusCode()).isEqualTo(200);

            assertThat(sent).extracting(URI::getScheme).as("HTTPS first, then HTTP, remembered").containsExactly("https", "http", "http");
            assertThat(server.connections()).isEqualTo(3);
        }
    }

    @Test
    void aRegistryNotMarkedInsecureNeverFallsBackToHttp() throws IOException {
        try (TinyServer.Blunt server = new TinyServer.Blunt()) {
            SchemeProbe probe = probe(Set.of(), wire);
            String uri = "//" + server.hostPort() + "/v2/app/manifests/1";
            assertThatThrownBy(() -> probe.send(TinyServer.request("build.lan:5000", "GET", uri, events)))
                    .isInstanceOf(SSLException.class);

            assertThat(sent).extracting(URI::getScheme).containsExactly("https");
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void aTlsOnlyLoopbackRegistryIsSwitchedToHttpsOnItsPlainHttp400() throws IOException {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(400).body(TLS_ONLY))) {
            // the HTTPS side is faked: the tiny server speaks plain HTTP only
            SchemeProbe probe = probe(Set.of(), request -> request.uri().getScheme().equals("https") ? ok(request) : wire.send(request));
            assertThat(probe.send(apiRequest(server.hostPort(), server, "GET")).statusCode()).isEqualTo(200);
            assertThat(probe.send(apiRequest(server.hostPort(), server, "GET")).statusCode()).isEqualTo(200);

            assertThat(sent).extracting(URI::getScheme).containsExactly("http", "https", "https");
        }
    }

    @Test
    void aHeadWithAnEmpty400IsExplainedByAGetOfV2() throws IOException {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(400).body(TLS_ONLY))) {
            SchemeProbe probe = probe(Set.of(), request -> request.uri().getScheme().equals("https") ? ok(request) : wire.send(request));
            assertThat(probe.send(apiRequest(server.hostPort(), server, "HEAD")).statusCode()).isEqualTo(200);

            assertThat(server.seen()).extracting(TinyServer.Seen::method, TinyServer.Seen::uri).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("HEAD", "/v2/app/manifests/1"), org.assertj.core.groups.Tuple.tuple("GET", "/v2/"));
            assertThat(sent.get(sent.size() - 1).getScheme()).isEqualTo("https");
        }
    }

    @Test
    void anOrdinary400IsReturnedWithItsBody() throws IOException {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(400).error("MANIFEST_INVALID", "bad"))) {
            RegistryResponse response = probe(Set.of(), wire).send(apiRequest(server.hostPort(), server, "GET"));

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Bodies.errorBody(response).code()).isEqualTo("MANIFEST_INVALID");
            assertThat(sent).extracting(URI::getScheme).containsExactly("http");
        }
    }

    @Test
    void aUriWithASchemeIsSentAsItIs() throws IOException {
        try (TinyServer server = TinyServer.start(seen -> TinyServer.Reply.of(200))) {
            probe(Set.of(), wire).send(TinyServer.request("build.lan:5000", "GET", server.uri("/upload/1").toString(), events));

            assertThat(sent).containsExactly(server.uri("/upload/1"));
        }
    }

    private static RegistryResponse ok(Exchange.Request request) {
        return new RegistryResponse(200, Map.of(), new ByteArrayInputStream(new byte[0]), request.uri());
    }
}
