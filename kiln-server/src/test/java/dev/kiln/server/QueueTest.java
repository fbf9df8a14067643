package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Platform;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The pool, the bounded queue (429 when full), one tag at a time in order, cancelling, and the history of concurrent builds. */
class QueueTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(153);

    @TempDir
    Path tmp;

    private static ServerSettings pool(ServerSettings s, int concurrency, int queue) {
        return new ServerSettings(s.port(), s.bind(), s.tokens(), concurrency, queue, s.maxUploadBytes(), s.keepDays(), s.keepBuilds(),
                s.databaseUrl(), s.databaseUser(), s.databasePassword(), null, null, null, false, null);
    }

    private Multipart flink(String base, String to, String jarContent) throws IOException {
        return new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + base + "\",\"jobJar\":\"job.jar\",\"to\":\""
                        + REGISTRY.registry().hostPort() + "/" + to + "\"}")
                .file("job.jar", Jobs.jar(tmp.resolve(jarContent + "/job.jar"), jarContent));
    }

    private static String awaitStatus(Api api, String id, String status) {
        api.events(id, null, e -> "Status".equals(e.type()) && e.data().get("status").asText().equals(status));
        return api.build(id).get("status").asText();
    }

    private static String lastStatus(List<Api.Event> events) {
        return events.get(events.size() - 1).data().get("status").asText();
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndCancelStopsQueuedAndRunningBuilds() throws IOException {
        try (Hang hang = new Hang(); ServerFixture fixture = new ServerFixture(tmp.resolve("cache"), s -> pool(s, 1, 1))) {
            Api api = fixture.builder();
            String running = api.submitOk(flink(hang.ref("flink:1"), "jobs/a:1", "a"));
            assertThat(awaitStatus(api, running, "running")).isEqualTo("running");
            String queued = api.submitOk(flink(hang.ref("flink:1"), "jobs/b:1", "b"));
            assertThat(api.build(queued).get("status").asText()).isEqualTo("queued");

            Api.Response refused = api.submit(flink(hang.ref("flink:1"), "jobs/c:1", "c"));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.error()).contains("queue is full");
            assertThat(fixture.api(ServerFixture.READ_TOKEN).get("/metrics").body()).contains("kiln_queue_length 1.0");

            assertThat(api.post("/api/v1/builds/" + queued + "/cancel", "").status()).isEqualTo(202);
            assertThat(lastStatus(api.awaitEnd(queued))).isEqualTo("cancelled");
            assertThat(api.post("/api/v1/builds/" + running + "/cancel", "").status()).isEqualTo(202);
            List<Api.Event> events = api.awaitEnd(running);
            assertThat(lastStatus(events)).isEqualTo("cancelled");
            assertThat(api.build(running).get("status").asText()).isEqualTo("cancelled");
            assertThat(api.post("/api/v1/builds/" + running + "/cancel", "").status()).as("already over").isEqualTo(409);
            assertThat(fixture.api(ServerFixture.READ_TOKEN).get("/metrics").body())
                    .contains("kiln_builds_total{kind=\"flink\",outcome=\"cancelled\"} 2.0");
        }
    }

    @Test
    void theChangesStreamSaysWhenABuildIsSubmittedAndWhenItEnds() throws Exception {
        try (Hang hang = new Hang(); ServerFixture fixture = new ServerFixture(tmp.resolve("cache"), s -> pool(s, 1, 10))) {
            Api api = fixture.builder();
            HttpResponse<java.util.stream.Stream<String>> changes = HttpClient.newHttpClient().send(
                    api.request("/api/v1/builds/changes").GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(changes.statusCode()).isEqualTo(200);
            assertThat(changes.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            java.util.Iterator<String> lines = changes.body().iterator();
            nextChange(lines);   // one as the stream opens: the list as it is now

            String id = api.submitOk(flink(hang.ref("flink:1"), "jobs/watched:1", "watched"));
            nextChange(lines);   // submitted: the build is in the list, queued or already running
            assertThat(api.build(id).get("status").asText()).isIn("queued", "running");
            awaitStatus(api, id, "running");
            api.post("/api/v1/builds/" + id + "/cancel", "");
            // the changes go on until the one that ends it (queued → running may have come as one change, or as two)
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                do {
                    nextChange(lines);
                } while (!api.build(id).get("status").asText().equals("cancelled"));
            });
            changes.body().close();
        }
    }

    /** Reads the stream up to its next {@code changed} event (a guard ends a stream that never sends one). */
    private static void nextChange(java.util.Iterator<String> lines) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            while (lines.hasNext()) {
                if (lines.next().equals("event: changed")) {
                    return;
                }
            }
            throw new AssertionError("the changes stream ended");
        });
    }

    @Test
    void buildsOfOneTagRunOneAfterTheOtherWhileOtherTagsGoAhead() throws IOException {
        String base = REGISTRY.flinkBase().ref();
        try (Hang hang = new Hang(); ServerFixture fixture = new ServerFixture(tmp.resolve("cache"), s -> pool(s, 2, 10))) {
            Api api = fixture.builder();
            String first = api.submitOk(flink(hang.ref("flink:1"), "jobs/same:1", "first"));
            awaitStatus(api, first, "running");
            String second = api.submitOk(flink(base, "jobs/same:1", "second"));
            String other = api.submitOk(flink(base, "jobs/other:1", "other"));
            assertThat(lastStatus(api.awaitEnd(other))).as("another tag runs on the free worker").isEqualTo("succeeded");
            assertThat(api.build(second).get("status").asText()).as("the same tag waits for the build before it").isEqualTo("queued");

            api.post("/api/v1/builds/" + first + "/cancel", "");
            assertThat(lastStatus(api.awaitEnd(second))).isEqualTo("succeeded");
            JsonNode firstBuild = api.build(first);
            JsonNode secondBuild = api.build(second);
            assertThat(Instant.parse(secondBuild.get("startedAt").asText()))
                    .isAfterOrEqualTo(Instant.parse(firstBuild.get("finishedAt").asText()));
        }
    }

    @Test
    void buildsSubmittedTogetherWhileAnotherRunsKeepEveryEventInTheHistory() throws Exception {
        int rebases = 12;
        try (Stderr log = Stderr.capture(); Hang hang = new Hang();
             ServerFixture fixture = new ServerFixture(tmp.resolve("cache"), s -> pool(s, 2, 50))) {
            Api api = fixture.builder();
            Api admin = fixture.api(ServerFixture.ADMIN_TOKEN);
            String running = api.submitOk(flink(hang.ref("flink:1"), "jobs/held:1", "held"));
            awaitStatus(api, running, "running");
            List<String> ids = new ArrayList<>();
            ExecutorService submitters = Executors.newFixedThreadPool(rebases);
            try {
                List<Future<Api.Response>> answers = new ArrayList<>();
                for (int i = 0; i < rebases; i++) {
                    // images Kiln never built: each rebase runs and fails at once, its events mixed with the others'
                    String image = REGISTRY.registry().hostPort() + "/jobs/never-built-" + i + ":1";
                    answers.add(submitters.submit(() -> admin.post("/api/v1/rebase", "{\"image\":\"" + image + "\"}")));
                }
                for (Future<Api.Response> answer : answers) {
                    Api.Response response = answer.get();
                    assertThat(response.status()).as(response.body()).isEqualTo(202);
                    ids.add(response.json().get("id").asText());
                }
            } finally {
                submitters.shutdownNow();
            }
            ids.forEach(api::awaitEnd);
            api.post("/api/v1/builds/" + running + "/cancel", "");
            api.awaitEnd(running);
            ids.add(running);

            for (String id : ids) {
                List<Api.Event> replayed = api.awaitEnd(id);
                assertThat(replayed).as("the history has every event of %s, numbered from 1", id).extracting(Api.Event::id)
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, replayed.size()).boxed().toList());
                assertThat(replayed.get(0).data().get("status").asText()).isEqualTo("queued");
                assertThat(lastStatus(replayed)).isIn("failed", "cancelled");
            }
            assertThat(log.text()).as("no history write failed").doesNotContain("history:");
        }
    }

    @Test
    void cancellingABuildStopsItsTransfersOnTheSharedPoolAndPublishesNoTag() throws Exception {
        try (RegistryFixture origin = RegistryFixture.plain(); FaultProxy proxy = FaultProxy.start(origin);
             ServerFixture fixture = new ServerFixture(tmp.resolve("cache"), s -> pool(s, 2, 10))) {
            TestImages.Pushed base = new TestImages(origin, 15).push("slow/base:1", Platform.host(), 4 << 20);
            long size = base.layers().get(0).size();
            FaultProxy.Rule slow = proxy.on("GET", "/v2/slow/base/blobs/" + base.layers().get(0).digest(), FaultProxy.ALWAYS,
                    FaultProxy.Fault.slow(16 * 1024, Duration.ofMillis(20)));
            String target = REGISTRY.registry().hostPort() + "/jobs/cancelled:1";
            Api api = fixture.builder();
            String id = api.submitOk(new Multipart().request("{\"kind\":\"image\",\"from\":\"" + proxy.hostPort() + "/slow/base:1\","
                    + "\"to\":\"" + target + "\"}"));
            await(() -> slow.bodyBytes() > 0);   // the base layer's download runs on the transfer pool
            assertThat(api.post("/api/v1/builds/" + id + "/cancel", "").status()).isEqualTo(202);
            assertThat(lastStatus(api.awaitEnd(id))).isEqualTo("cancelled");

            await(() -> slow.abandoned() > 0 || slow.bodyBytes() >= size);
            assertThat(slow.bodyBytes()).as("the download stopped before the layer's end").isLessThan(size);
            assertThat(slow.abandoned()).as("the build closed its connection").isEqualTo(1);
            HttpResponse<Void> tag = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + REGISTRY.registry().hostPort() + "/v2/jobs/cancelled/manifests/1")).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(tag.statusCode()).as("no tag published").isEqualTo(404);
        }
    }

    /** Waits until {@code condition} holds. */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(10);
        }
    }
}
