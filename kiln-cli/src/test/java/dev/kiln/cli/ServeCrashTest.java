package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kiln serve} in its own JVM, SIGKILLed while builds run ({@value #KILLS} times; {@code -Dkiln.soak.kills=N} for
 * more; each kill prints its seed), then started again on the same cache directory: every build it had is
 * {@code succeeded} or {@code interrupted} (with its events up to the end kept), a tag is absent or names a complete
 * image, the store verifies, and the restarted service takes new builds. Its log never shows the token.
 */
class ServeCrashTest {
    private static final int KILLS = Integer.getInteger("kiln.soak.kills", 2);
    private static final String TOKEN = "serve-crash-token-" + UUID.randomUUID();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(159);

    @TempDir
    Path work;

    private Path config() throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        return Files.writeString(work.resolve("config.yaml"), "server:\n  tokens:\n    - {name: ci, sha256: " + hash + ", role: build}\n"
                + "  builds: {concurrency: 2, queue: 100}\n");
    }

    /** Starts kiln serve on a free port; returns the process and its URL once it listens. */
    private record Serve(Process process, String url, Path log) {
    }

    private Serve start(Path cache, Path config, String name) throws Exception {
        Path prefix = work.resolve(name);
        Process process = Cli.spawn(prefix, "serve", "--port", "0", "--cache-dir", cache.toString(), "--config", config.toString(),
                "--docker-config", Cli.noCredentials().toString());
        Path err = prefix.resolveSibling(name + ".err");
        for (int i = 0; i < 1200; i++) {
            Matcher m = LISTENING.matcher(Files.exists(err) ? Files.readString(err) : "");
            if (m.find()) {
                return new Serve(process, m.group(1), err);
            }
            assertThat(process.isAlive()).as("kiln serve exited: %s", Files.exists(err) ? Files.readString(err) : "").isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("kiln serve did not start: " + Files.readString(err));
    }

    private Path jar(String content) throws IOException {
        return Cli.jobJar(work.resolve("jars/" + content + "/job.jar"), content);
    }

    private static String submit(String url, String base, String to, Path jar) throws Exception {
        String boundary = "b" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n{\"kind\":\"flink\",\"base\":\"" + base
                + "\",\"jobJar\":\"job.jar\",\"to\":\"" + to + "\"}\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"job.jar\"; filename=\"job.jar\"\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/builds"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head), HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Cli.JSON.readTree(response.body()).get("id").asText();
    }

    private static JsonNode get(String url, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Cli.JSON.readTree(response.body());
    }

    @Test
    void afterSigkillRunningBuildsAreInterruptedTagsAreWholeAndTheStoreVerifies() throws Exception {
        Path cache = work.resolve("cache");
        Path config = config();
        String base = REGISTRY.flinkBase().ref();
        // a base whose registry answers 429 with a long Retry-After: the build on it is running when the kill comes
        com.sun.net.httpserver.HttpServer hang = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        hang.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "3600");
            exchange.sendResponseHeaders(429, -1);
            exchange.close();
        });
        hang.start();
        String hangBase = "127.0.0.1:" + hang.getAddress().getPort() + "/hang/flink:1";
        Serve serve = start(cache, config, "serve-0");
        int interrupted = 0;
        List<String> all = new ArrayList<>();
        for (int kill = 1; kill <= KILLS; kill++) {
            long seed = System.nanoTime();
            Random random = new Random(seed);
            List<String> ids = new ArrayList<>();
            String held = submit(serve.url(), hangBase, REGISTRY.registry().hostPort() + "/crash/held" + kill + ":1", jar("held" + kill));
            for (int i = 0; i < 4; i++) {
                String repo = "crash/job" + kill + "-" + i;
                ids.add(submit(serve.url(), base, REGISTRY.registry().hostPort() + "/" + repo + ":1", jar(kill + "-" + i)));
            }
            all.addAll(ids);
            long delay = random.nextInt(1500);
            Thread.sleep(delay);
            serve.process().destroyForcibly();   // SIGKILL: no shutdown hook, no finally
            assertThat(serve.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            serve = start(cache, config, "serve-" + kill);
            JsonNode heldBuild = get(serve.url(), "/api/v1/builds/" + held);
            assertThat(heldBuild.get("status").asText()).as("seed %d: the build that was waiting on its base", seed).isEqualTo("interrupted");
            assertThat(events(serve.url(), held)).as("its events up to the kill are kept").contains("queued");
            all.add(held);
            int here = 1;
            for (int i = 0; i < ids.size(); i++) {
                JsonNode build = get(serve.url(), "/api/v1/builds/" + ids.get(i));
                String status = build.get("status").asText();
                assertThat(status).as("seed %d, build %s", seed, build).isIn("succeeded", "interrupted");
                if (status.equals("interrupted")) {
                    here++;
                    CrashTest.assertTagIsAbsentOrComplete(REGISTRY.registry(), "crash/job" + kill + "-" + i, seed);
                }
            }
            interrupted += here;
            System.out.printf("serve crash seed %d: killed after %d ms, %d of %d builds interrupted%n", seed, delay, here, ids.size() + 1);
        }
        String after = submit(serve.url(), base, REGISTRY.registry().hostPort() + "/crash/after:1", jar("after"));
        for (int i = 0; i < 600 && !List.of("succeeded", "failed").contains(get(serve.url(), "/api/v1/builds/" + after).get("status").asText()); i++) {
            Thread.sleep(100);
        }
        assertThat(get(serve.url(), "/api/v1/builds/" + after).get("status").asText()).as("the restarted service builds").isEqualTo("succeeded");
        assertThat(get(serve.url(), "/api/v1/builds?limit=1000").get("builds")).hasSize(all.size() + 1);
        serve.process().destroy();
        assertThat(serve.process().waitFor(60, TimeUnit.SECONDS)).isTrue();

        Cli.Result verify = Cli.run(cache, "cache", "verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        for (int i = 0; i <= KILLS; i++) {
            assertThat(Files.readString(work.resolve("serve-" + i + ".err"))).as("the service's log").doesNotContain(TOKEN);
        }
        hang.stop(0);
        System.out.printf("serve crash: %d kills, %d builds interrupted in all%n", KILLS, interrupted);
    }

    /** A finished build's event stream: it replays what the history kept and ends. */
    private static String events(String url, String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/builds/" + id + "/events")).header("Authorization", "Bearer " + TOKEN)
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
