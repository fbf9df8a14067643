package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Kiln;
import dev.kiln.api.StoreVerification;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds submitted by several clients at once, queue and pool at their defaults, a mix of kinds, new job
 * jars, no-ops and two platforms: every build is in the history with its outcome, each base blob is fetched once, the store
 * verifies. {@code -Dkiln.load.builds=50 -Dkiln.load.clients=8} for the soak's size; prints throughput and
 * p50/p95 submit-to-done.
 */
class LoadTest {
    private static final int BUILDS = Integer.getInteger("kiln.load.builds", 10);
    private static final int CLIENTS = Integer.getInteger("kiln.load.clients", 4);

    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(158);

    @TempDir
    Path tmp;

    @Test
    void everyBuildIsAccountedForEachBaseBlobIsFetchedOnceAndTheStoreVerifies() throws Exception {
        FlinkBase base = FlinkBase.push(REGISTRY.registry(), "load/flink:1.18");
        String multi = REGISTRY.images().pushIndex("load/multi:1", List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")),
                200_000, 100_000).reference().toString();
        Path app = Files.writeString(tmp.resolve("app.txt"), "the same file every time");
        Path cache = tmp.resolve("cache");
        long mark = REGISTRY.registry().mark();
        Map<String, Long> took = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        try (ServerFixture fixture = new ServerFixture(cache, s -> new ServerSettings(s.port(), s.bind(), s.tokens(),
                Runtime.getRuntime().availableProcessors(), 100, s.maxUploadBytes(), s.keepDays(), s.keepBuilds(), s.databaseUrl(), null, null,
                null, null, null, false, null))) {
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < BUILDS; i++) {
                int n = i;
                done.add(clients.submit(() -> {
                    Api api = fixture.builder();
                    Multipart request = switch (n % 4) {
                        // a new job jar
                        case 0 -> new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + base.ref() + "\",\"jobJar\":\"job.jar\","
                                + "\"mainClass\":\"com.example.Job\",\"to\":\"" + REGISTRY.registry().hostPort() + "/load/job" + n + ":1\"}")
                                .file("job.jar", Jobs.jar(tmp.resolve("jars/" + n + "/job.jar"), "job " + n));
                        // the same image again and again: a no-op after the first
                        case 1 -> new Multipart().request("{\"kind\":\"image\",\"from\":\"" + base.ref() + "\",\"layers\":[{\"file\":\"app.txt\","
                                + "\"dest\":\"/app/app.txt\"}],\"to\":\"" + REGISTRY.registry().hostPort() + "/load/same:1\"}").file("app.txt", app);
                        // two platforms under one index
                        case 3 -> new Multipart().request("{\"kind\":\"image\",\"from\":\"" + multi + "\",\"platforms\":\"linux/amd64,linux/arm64\","
                                + "\"layers\":[{\"file\":\"app.txt\",\"dest\":\"/app/app.txt\"}],\"to\":\"" + REGISTRY.registry().hostPort()
                                + "/load/multi" + n + ":1\"}").file("app.txt", app);
                        default -> new Multipart().request("{\"kind\":\"image\",\"from\":\"" + base.ref() + "\",\"layers\":[{\"file\":\"app.txt\","
                                + "\"dest\":\"/app/" + n + ".txt\"}],\"to\":\"" + REGISTRY.registry().hostPort() + "/load/image" + n + ":1\"}")
                                .file("app.txt", app);
                    };
                    long submitted = System.nanoTime();
                    String id = api.submitOk(request);
                    api.awaitEnd(id);
                    took.put(id, (System.nanoTime() - submitted) / 1_000_000);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            clients.shutdown();
            long wall = (System.nanoTime() - start) / 1_000_000;

            JsonNode builds = fixture.builder().get("/api/v1/builds?limit=1000").json().get("builds");
            assertThat(builds).hasSize(BUILDS);
            assertThat(builds).extracting(b -> b.get("status").asText()).containsOnly("succeeded");
            assertThat(took.keySet()).containsExactlyInAnyOrderElementsOf(builds.findValuesAsText("id"));

            Map<String, Long> blobGets = REGISTRY.registry().requestsSince(mark).stream()
                    .filter(e -> e.method().equals("GET") && (e.path().startsWith("/v2/load/flink/blobs/") || e.path().startsWith("/v2/load/multi/blobs/")))
                    .collect(Collectors.groupingBy(AccessLogEntry::path, Collectors.counting()));
            assertThat(blobGets).as("each base blob fetched once").isNotEmpty().allSatisfy((path, count) -> assertThat(count).as(path).isEqualTo(1));

            List<Long> times = new ArrayList<>(took.values());
            Collections.sort(times);
            System.out.printf("load: %d builds from %d clients in %d ms (%.1f builds/s); submit-to-done p50 %d ms, p95 %d ms%n",
                    BUILDS, CLIENTS, wall, BUILDS * 1000.0 / wall, times.get(times.size() / 2),
                    times.get(Math.min(times.size() - 1, (int) Math.ceil(times.size() * 0.95) - 1)));
        }
        try (Kiln kiln = ServerFixture.kiln(cache).build()) {
            StoreVerification verification = kiln.verifyStore();
            assertThat(verification.ok()).as(verification.toString()).isTrue();
            assertThat(verification.blobsChecked()).isPositive();
        }
    }
}
