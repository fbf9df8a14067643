package dev.kiln.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The harness's token server: it issues tokens to its user, and its control port counts the requests. */
class TokenAuthServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void countsTheTokenRequestsItAnswers(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("token-root.pem");
        try (TokenAuthServer.Running running = TokenAuthServer.start("bench", "secret", cert)) {
            assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(get(running.controlPort(), "/count", null).body()).contains("\"tokenRequests\":0");
            String basic = "Basic " + Base64.getEncoder().encodeToString("bench:secret".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> token = get(running.tokenPort(), "/token?service=kiln-test-registry&scope=repository:bench/app:pull,push", basic);
            assertThat(token.statusCode()).isEqualTo(200);
            assertThat(token.body()).contains("\"token\"");
            assertThat(get(running.controlPort(), "/count", null).body())
                    .contains("\"tokenRequests\":1").contains("repository:bench/app:pull,push");
        }
    }

    private HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
