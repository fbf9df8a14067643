package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Files the server holds by digest: asked for, uploaded once (verified), then referred to by digest in builds. */
class FilesApiTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(156);

    @TempDir
    Path tmp;

    static String digest(Path file) throws IOException, NoSuchAlgorithmException {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void aFileIsUploadedOnceVerifiedAndUsedByDigest() throws Exception {
        Path jar = Jobs.jar(tmp.resolve("orders.jar"), "held");
        Path lib = Jobs.jar(tmp.resolve("flink-connector-x.jar"), "lib");
        String jarDigest = digest(jar);
        String libDigest = digest(lib);
        try (ServerFixture fixture = new ServerFixture(tmp.resolve("cache"))) {
            Api api = fixture.builder();
            String ask = "{\"digests\":[\"" + jarDigest + "\",\"" + libDigest + "\"]}";
            assertThat(api.post("/api/v1/files/missing", ask).json().get("missing")).extracting(JsonNode::asText)
                    .containsExactly(jarDigest, libDigest);

            Api.Response wrong = api.send(api.request("/api/v1/files/" + jarDigest).PUT(HttpRequest.BodyPublishers.ofFile(lib)).build());
            assertThat(wrong.status()).isEqualTo(400);
            assertThat(wrong.error()).contains("the body's digest is " + libDigest);
            assertThat(api.send(api.request("/api/v1/files/" + jarDigest).PUT(HttpRequest.BodyPublishers.ofFile(jar)).build()).status())
                    .isEqualTo(201);
            assertThat(api.send(api.request("/api/v1/files/" + libDigest).PUT(HttpRequest.BodyPublishers.ofFile(lib)).build()).status())
                    .isEqualTo(201);
            assertThat(api.post("/api/v1/files/missing", ask).json().get("missing")).isEmpty();
            assertThat(api.post("/api/v1/files/missing", "{\"digests\":[\"md5:1\"]}").status()).isEqualTo(400);
            assertThat(fixture.api(ServerFixture.READ_TOKEN).post("/api/v1/files/missing", ask).status()).isEqualTo(403);

            String id = api.submitOk(new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + REGISTRY.flinkBase().ref()
                    + "\",\"jobJar\":\"orders.jar\",\"libs\":[\"" + libDigest + "\"],\"files\":{\"orders.jar\":\"" + jarDigest + "\"},"
                    + "\"to\":\"" + REGISTRY.registry().hostPort() + "/jobs/held:1\"}"));
            api.awaitEnd(id);
            JsonNode build = api.build(id);
            assertThat(build.get("status").asText()).as(build.toString()).isEqualTo("succeeded");
            assertThat(build.at("/result/jarUri").asText()).endsWith("/orders.jar");

            Api.Response unheld = api.submit(new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + REGISTRY.flinkBase().ref()
                    + "\",\"jobJar\":\"sha256:" + "0".repeat(64) + "\",\"to\":\"" + REGISTRY.registry().hostPort() + "/jobs/held:2\"}"));
            assertThat(unheld.status()).isEqualTo(400);
            assertThat(unheld.error()).contains("the server holds no file sha256:000");

            Api admin = fixture.api(ServerFixture.ADMIN_TOKEN);
            admin.post("/api/v1/schedules/retention/run", "");
            assertThat(api.post("/api/v1/files/missing", ask).json().get("missing")).as("used files stay").isEmpty();
            // the file was last written, and last used by a build (its named directory), 40 days ago
            var fortyDaysAgo = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofDays(40)));
            Files.setLastModifiedTime(fixture.cacheDir.resolve("server/files/" + libDigest.substring(7)), fortyDaysAgo);
            Files.setLastModifiedTime(fixture.cacheDir.resolve("server/files/named/" + libDigest.substring(7)), fortyDaysAgo);
            assertThat(admin.post("/api/v1/schedules/retention/run", "").json().get("did").asText()).contains("1 files");
            assertThat(api.post("/api/v1/files/missing", ask).json().get("missing")).extracting(JsonNode::asText)
                    .as("unused for longer than keepDays").containsExactly(libDigest);
        }
    }
}
