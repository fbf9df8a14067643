package dev.kiln.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RegistryFixtureTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @Test
    void plainRegistryAnswersAndCountsExactlyTheRequestsMade() throws Exception {
        RegistryFixture registry;
        try (RegistryFixture r = RegistryFixture.plain()) {
            registry = r;
            assertThat(r.url()).isEqualTo("http://" + r.hostPort()).startsWith("http://127.0.0.1:");
            assertThat(r.credentials()).isNull();
            assertThat(r.rootDirectory()).isDirectory();
            assertThat(r.requests()).as("the fixture's own probes are not counted").isEmpty();

            long mark = r.mark();
            assertThat(send(r, "GET", "/v2/", null).statusCode()).isEqualTo(200);
            assertThat(send(r, "HEAD", "/v2/test/app/manifests/1", null).statusCode()).isEqualTo(404);
            assertThat(send(r, "GET", "/v2/test/app/tags/list?n=10", null).statusCode()).isEqualTo(404);

            assertThat(r.requestsSince(mark)).containsExactly(
                    new AccessLogEntry("GET", "/v2/", 200),
                    new AccessLogEntry("HEAD", "/v2/test/app/manifests/1", 404),
                    new AccessLogEntry("GET", "/v2/test/app/tags/list?n=10", 404));
            assertThat(r.requestsSince(r.mark())).as("nothing happened since the mark").isEmpty();
            assertThat(r.requests()).hasSize(3);
            assertThat(r.logFile()).content().contains("\"GET /v2/ HTTP/1.1\" 200");
        }
        assertThat(registry.rootDirectory()).doesNotExist();
        assertThatThrownBy(() -> send(registry, "GET", "/v2/", null)).isInstanceOf(ConnectException.class);
    }

    @Test
    void basicAuthRegistryRequiresTheCredentials() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            HttpResponse<String> anonymous = send(registry, "GET", "/v2/", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"kiln-test\"");
            assertThat(send(registry, "GET", "/v2/", TokenServer.basic(registry.username(), "wrong")).statusCode())
                    .isEqualTo(401);
            assertThat(send(registry, "GET", "/v2/", TokenServer.basic(registry.username(), registry.password()))
                    .statusCode()).isEqualTo(200);
            assertThat(registry.credentials()).isEqualTo(registry.username() + ":" + registry.password());
            assertThat(registry.requests()).extracting(AccessLogEntry::status).containsExactly(401, 401, 200);
        }
    }

    @Test
    void tokenAuthRegistryAcceptsTokensOfTheTokenServer() throws Exception {
        try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
            TokenServer tokens = registry.tokenServer();

            HttpResponse<String> challenged = send(registry, "POST", "/v2/test/repo/blobs/uploads/", null);
            assertThat(challenged.statusCode()).isEqualTo(401);
            Map<String, String> challenge = bearerChallenge(challenged);
            assertThat(challenge).containsEntry("realm", tokens.realm())
                    .containsEntry("service", TokenServer.SERVICE);
            // the registry lists the actions in Go map order, which varies
            assertThat(challenge.get("scope")).isIn("repository:test/repo:pull,push", "repository:test/repo:push,pull");

            String scope = "repository:test/repo:pull,push";
            JsonNode granted = fetchToken(challenge, scope,
                    TokenServer.basic(registry.username(), registry.password()));
            assertThat(granted.path("access_token").asText()).isEqualTo(granted.path("token").asText());
            assertThat(granted.path("expires_in").asInt()).isEqualTo(300);
            assertThat(granted.path("issued_at").asText()).isNotEmpty();
            HttpResponse<String> upload = send(registry, "POST", "/v2/test/repo/blobs/uploads/",
                    "Bearer " + granted.path("token").asText());
            assertThat(upload.statusCode()).isEqualTo(202);
            assertThat(upload.headers().firstValue("Location")).isPresent();

            JsonNode anonymous = fetchToken(challenge, scope, null);
            assertThat(send(registry, "GET", "/v2/", "Bearer " + anonymous.path("token").asText()).statusCode())
                    .as("an anonymous token is valid").isEqualTo(200);
            assertThat(send(registry, "POST", "/v2/test/repo/blobs/uploads/",
                    "Bearer " + anonymous.path("token").asText()).statusCode())
                    .as("but grants nothing").isEqualTo(401);

            HttpResponse<String> rejected = HTTP.send(tokenRequest(challenge, scope,
                    TokenServer.basic(registry.username(), "wrong")), HttpResponse.BodyHandlers.ofString());
            assertThat(rejected.statusCode()).isEqualTo(401);

            assertThat(tokens.tokenRequests()).isEqualTo(3);
            assertThat(tokens.requestedScopes()).containsExactly(scope, scope, scope);
        }
    }

    @Test
    void tokenServerGrantsEveryRequestedScope() throws Exception {
        try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
            URI uri = URI.create(registry.tokenServer().realm() + "?service=" + TokenServer.SERVICE
                    + "&scope=" + URLEncoder.encode("repository:a/b:pull", StandardCharsets.UTF_8)
                    + "&scope=" + URLEncoder.encode("repository:c:pull,push", StandardCharsets.UTF_8));
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri)
                            .header("Authorization", TokenServer.basic(registry.username(), registry.password()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String jwt = JSON.readTree(response.body()).path("token").asText();
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));

            assertThat(claims.path("aud").asText()).isEqualTo(TokenServer.SERVICE);
            assertThat(claims.path("sub").asText()).isEqualTo(registry.username());
            assertThat(claims.path("access").toString()).isEqualTo(
                    "[{\"type\":\"repository\",\"name\":\"a/b\",\"actions\":[\"pull\"]},"
                    + "{\"type\":\"repository\",\"name\":\"c\",\"actions\":[\"pull\",\"push\"]}]");
            assertThat(registry.tokenServer().requestedScopes())
                    .containsExactly("repository:a/b:pull", "repository:c:pull,push");
            String bearer = "Bearer " + jwt;
            assertThat(send(registry, "POST", "/v2/c/blobs/uploads/", bearer).statusCode()).isEqualTo(202);
            assertThat(send(registry, "POST", "/v2/a/b/blobs/uploads/", bearer).statusCode()).isEqualTo(401);
            assertThat(send(registry, "HEAD", "/v2/a/b/manifests/1", bearer).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void skopeoInspectsAnImagePushedOverPlainHttp() throws Exception {
        try (RegistryFixture registry = RegistryFixture.plain()) {
            TinyImage image = pushTinyImage(registry, "test/app", "1");

            String ref = registry.hostPort() + "/test/app:1";
            assertThat(Skopeo.inspectRaw(ref, false, null)).isEqualTo(image.manifest());
            assertThat(Skopeo.inspectRaw("docker://" + registry.hostPort() + "/test/app@" + image.manifestDigest(),
                    false, null)).isEqualTo(image.manifest());
            long mark = registry.mark();
            assertThat(Skopeo.inspectConfig(ref, false, null)).isEqualTo(image.config());
            assertThat(registry.requestsSince(mark))
                    .contains(new AccessLogEntry("GET", "/v2/test/app/blobs/" + image.configDigest(), 200));
            assertThat(registry.rootDirectory().resolve("docker/registry/v2/blobs/sha256")
                    .resolve(image.configDigest().substring(7, 9))
                    .resolve(image.configDigest().substring(7))
                    .resolve("data")).hasContent(image.config());
            assertThatThrownBy(() -> Skopeo.inspectRaw(registry.hostPort() + "/test/app:2", false, null))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("manifest unknown");
        }
    }

    @Test
    void skopeoCopiesWithCredentialsAndProxyPullsThroughTokenAuth() throws Exception {
        try (RegistryFixture source = RegistryFixture.plain();
             RegistryFixture origin = RegistryFixture.tokenAuth()) {
            TinyImage image = pushTinyImage(source, "test/app", "1");

            Skopeo.copy("docker://" + source.hostPort() + "/test/app:1",
                    "docker://" + origin.hostPort() + "/test/app:1",
                    "--src-tls-verify=false", "--dest-tls-verify=false", "--dest-creds=" + origin.credentials());
            assertThat(Skopeo.inspectRaw(origin.hostPort() + "/test/app:1", false, origin.credentials()))
                    .isEqualTo(image.manifest());
            assertThat(origin.tokenServer().requestedScopes()).contains("repository:test/app:pull,push");
            assertThatThrownBy(() -> Skopeo.inspectRaw(origin.hostPort() + "/test/app:1", false, null))
                    .as("anonymous tokens grant nothing")
                    .isInstanceOf(AssertionError.class);

            try (RegistryFixture proxy = RegistryFixture.proxyOf(origin)) {
                long originMark = origin.mark();
                assertThat(Skopeo.inspectRaw(proxy.hostPort() + "/test/app:1", false, null))
                        .isEqualTo(image.manifest());
                assertThat(Skopeo.inspectConfig(proxy.hostPort() + "/test/app:1", false, null))
                        .isEqualTo(image.config());
                assertThat(origin.requestsSince(originMark))
                        .contains(new AccessLogEntry("GET", "/v2/test/app/blobs/" + image.configDigest(), 200));
            }
        }
    }

    // ---- a deliberately tiny hand-made push: the real registry client lives in main code ----

    private record TinyImage(String manifest, String manifestDigest, String config, String configDigest) {
    }

    private static TinyImage pushTinyImage(RegistryFixture registry, String repository, String tag)
            throws Exception {
        byte[] tar = new byte[1024]; // an empty tar archive: two zero blocks
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write(tar);
        }
        byte[] layer = gzipped.toByteArray();
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha256(tar) + "\"]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        uploadBlob(registry, repository, configBytes);
        uploadBlob(registry, repository, layer);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\"" + sha256(configBytes) + "\",\"size\":" + configBytes.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}";
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(
                                URI.create(registry.url() + "/v2/" + repository + "/manifests/" + tag))
                        .header("Content-Type", OCI_MANIFEST)
                        .PUT(HttpRequest.BodyPublishers.ofString(manifest))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return new TinyImage(manifest, sha256(manifest.getBytes(StandardCharsets.UTF_8)), config, sha256(configBytes));
    }

    private static void uploadBlob(RegistryFixture registry, String repository, byte[] blob) throws Exception {
        HttpResponse<String> started = send(registry, "POST", "/v2/" + repository + "/blobs/uploads/", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(registry.url()).resolve(location);
        URI put = URI.create(upload + (upload.getRawQuery() == null ? "?" : "&") + "digest=" + sha256(blob));
        HttpResponse<String> done = HTTP.send(HttpRequest.newBuilder(put)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
    }

    // ---- HTTP helpers ----

    private static HttpResponse<String> send(RegistryFixture registry, String method, String path,
            String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> bearerChallenge(HttpResponse<?> response) {
        String header = response.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertThat(header).startsWith("Bearer ");
        Map<String, String> parameters = new HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(header);
        while (m.find()) {
            parameters.put(m.group(1), m.group(2));
        }
        return parameters;
    }

    private static HttpRequest tokenRequest(Map<String, String> challenge, String scope, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(challenge.get("realm")
                + "?service=" + URLEncoder.encode(challenge.get("service"), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static JsonNode fetchToken(Map<String, String> challenge, String scope, String authorization)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(tokenRequest(challenge, scope, authorization),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
