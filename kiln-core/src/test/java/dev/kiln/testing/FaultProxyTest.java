package dev.kiln.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fault proxy itself: forwarding, recording, each fault, and robustness against non-HTTP clients. */
class FaultProxyTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(7);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static TestImages.Pushed image;

    @BeforeAll
    static void startRegistry() {
        image = REGISTRY.images().push("proxy/test:1", Platform.parse("linux/amd64"), 150_000);
    }

    @Test
    void forwardsAndRecordsRequestsAndSurvivesTlsAndGarbage() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry())) {
            // a TLS client fails the same way against the proxy as against the real registry
            Class<?> direct = tlsFailure(REGISTRY.registry().hostPort());
            Class<?> proxied = tlsFailure(proxy.hostPort());
            assertThat(proxied).isEqualTo(direct);
            assertThat(SSLException.class).isAssignableFrom(proxied);

            try (Socket garbage = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(proxy.hostPort().split(":")[1]))) {
                garbage.getOutputStream().write(new byte[]{0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00});
                garbage.getOutputStream().flush();
                String answer = new String(garbage.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat(answer).isEqualTo("HTTP/1.1 400");
            }
            assertThat(proxy.rejectedConnections()).isEqualTo(2);
            assertThat(proxy.requests()).isEmpty();

            long mark = REGISTRY.registry().mark();
            HttpResponse<String> response = get(proxy, "/v2/", Map.of("X-Test", "yes", "Authorization", "Basic Zm9vOmJhcg=="));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Docker-Distribution-Api-Version")).hasValue("registry/2.0");
            assertThat(REGISTRY.registry().requestsSince(mark)).containsExactly(new AccessLogEntry("GET", "/v2/", 200));

            assertThat(proxy.requests()).singleElement().satisfies(r -> {
                assertThat(r.method()).isEqualTo("GET");
                assertThat(r.path()).isEqualTo("/v2/");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.fault()).isNull();
                assertThat(r.header("x-test")).hasValue("yes");
                assertThat(r.authorization()).hasValue("Basic Zm9vOmJhcg==");
            });
        }
    }

    @Test
    void statusFaultAppliesExactlyTheGivenNumberOfTimes() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry())) {
            long mark = REGISTRY.registry().mark();
            FaultProxy.Rule rule = proxy.on("GET", "/v2/", 2, FaultProxy.Fault.status(429, Map.of("Retry-After", "7")));
            HttpResponse<String> first = get(proxy, "/v2/", Map.of());
            HttpResponse<String> second = get(proxy, "/v2/", Map.of());
            HttpResponse<String> third = get(proxy, "/v2/", Map.of());
            assertThat(first.statusCode()).isEqualTo(429);
            assertThat(first.headers().firstValue("Retry-After")).hasValue("7");
            assertThat(first.body()).contains("\"errors\"");
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(third.statusCode()).isEqualTo(200);
            assertThat(rule.hits()).isEqualTo(2);
            assertThat(rule.remaining()).isZero();
            assertThat(proxy.requests()).extracting(FaultProxy.Request::status).containsExactly(429, 429, 200);
            assertThat(REGISTRY.registry().requestsSince(mark)).as("faulted requests never reach the registry")
                    .containsExactly(new AccessLogEntry("GET", "/v2/", 200));
        }
    }

    @Test
    void resetCutsTheBodyAfterTheGivenBytesAndRangeRequestsAreForwarded() throws Exception {
        Descriptor layer = image.layers().get(0);
        String path = "/v2/proxy/test/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry())) {
            proxy.on("GET", "/v2/proxy/test/blobs/.+", 1, FaultProxy.Fault.resetAfter(10_000));
            HttpResponse<InputStream> cut = HTTP.send(request(proxy.hostPort(), path, Map.of()).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(cut.statusCode()).isEqualTo(200);
            assertThat(cut.headers().firstValueAsLong("Content-Length")).hasValue(layer.size());
            byte[] received = new byte[(int) layer.size()];
            int[] count = {0};
            assertThatThrownBy(() -> {
                try (InputStream in = cut.body()) {
                    for (int n; (n = in.read(received, count[0], received.length - count[0])) > 0; ) {
                        count[0] += n;
                    }
                }
            }).isInstanceOf(IOException.class);
            assertThat(count[0]).isEqualTo(10_000);

            HttpResponse<byte[]> rest = HTTP.send(request(proxy.hostPort(), path, Map.of("Range", "bytes=10000-")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(rest.statusCode()).isEqualTo(206);
            System.arraycopy(rest.body(), 0, received, 10_000, rest.body().length);
            assertThat(dev.kiln.image.Digest.sha256(received)).isEqualTo(layer.digest());
            assertThat(proxy.requests()).extracting(FaultProxy.Request::range)
                    .containsExactly(Optional.empty(), Optional.of("bytes=10000-"));
        }
    }

    @Test
    void corruptFlipsOneByteAndRedirectPointsAtTheBlobStore() throws Exception {
        Descriptor layer = image.layers().get(0);
        String path = "/v2/proxy/test/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry())) {
            proxy.on("GET", ".*/blobs/.+", 1, FaultProxy.Fault.corruptByteAt(5));
            proxy.on("GET", ".*/blobs/.+", 1, FaultProxy.Fault.redirectToBlobStore());
            byte[] corrupt = HTTP.send(request(proxy.hostPort(), path, Map.of()).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            HttpResponse<String> redirect = get(proxy, path, Map.of("Authorization", "Bearer secret"));
            byte[] clean = HTTP.send(request(proxy.hostPort(), path, Map.of()).build(), HttpResponse.BodyHandlers.ofByteArray()).body();

            assertThat(corrupt).hasSize(clean.length);
            assertThat(dev.kiln.image.Digest.sha256(clean)).isEqualTo(layer.digest());
            int[] differing = java.util.stream.IntStream.range(0, clean.length).filter(i -> clean[i] != corrupt[i]).toArray();
            assertThat(differing).containsExactly(5);

            assertThat(redirect.statusCode()).isEqualTo(307);
            String location = redirect.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("http://" + proxy.blobStoreHostPort() + "/blobstore/" + layer.digest());
            HttpResponse<byte[]> fromStore = HTTP.send(HttpRequest.newBuilder(URI.create(location)).header("Range", "bytes=100-").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(fromStore.statusCode()).isEqualTo(206);
            assertThat(fromStore.body()).isEqualTo(Arrays.copyOfRange(clean, 100, clean.length));
            assertThat(proxy.blobStoreRequests()).singleElement().satisfies(r -> {
                assertThat(r.range()).hasValue("bytes=100-");
                assertThat(r.authorization()).isEmpty();
            });
        }
    }

    @Test
    void uploadLocationsAreRewrittenToTheProxy() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry())) {
            HttpResponse<String> started = HTTP.send(request(proxy.hostPort(), "/v2/proxy/upload/blobs/uploads/", Map.of())
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).isEqualTo(202);
            assertThat(started.headers().firstValue("Location")).hasValueSatisfying(
                    location -> assertThat(location).startsWith("http://" + proxy.hostPort() + "/v2/proxy/upload/blobs/uploads/"));
        }
    }

    private static Class<?> tlsFailure(String hostPort) {
        HttpClient tls = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            tls.send(HttpRequest.newBuilder(URI.create("https://" + hostPort + "/v2/")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SSLException) {
                    return t.getClass();
                }
            }
            return e.getClass();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new AssertionError("TLS to a plain HTTP server succeeded");
    }

    private static HttpResponse<String> get(FaultProxy proxy, String path, Map<String, String> headers) throws Exception {
        return HTTP.send(request(proxy.hostPort(), path, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String hostPort, String path, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + hostPort + path)).timeout(Duration.ofSeconds(30));
        headers.forEach(builder::header);
        return builder;
    }
}
