package dev.kiln.cli;

import dev.kiln.testing.TestImages;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code kiln pull} processes racing for the same image into the same cache directory: the
 * store's cross-process locks make them resolve the tag with one manifest request, download every
 * blob once and leave a consistent store.
 */
class ConcurrentPullProcessesTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(99);
    private static final int RACES = 3;
    private static final int PROCESSES = 2;
    private static final long PROCESS_TIMEOUT_SECONDS = 120;
    private static TestImages.Pushed image;

    @TempDir
    Path work;

    @BeforeAll
    static void pushImage() {
        // five layers of 2-4 MB of random bytes (gzip cannot shrink them): downloads long enough to overlap
        image = REGISTRY.images().push("cli/race:1", Platform.parse("linux/amd64"),
                3_000_000, 2_000_000, 4_000_000, 2_500_000, 3_500_000);
    }

    private record Run(Process process, Path out, Path err) {
        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }
    }

    @Test
    void twoProcessesPullingTheSameImageDownloadEachBlobOnceAndLeaveAConsistentStore() throws Exception {
        List<Digest> layers = image.layers().stream().map(Descriptor::digest).toList();
        int racesWithOverlap = 0;
        for (int race = 1; race <= RACES; race++) {
            Path cache = Files.createDirectories(work.resolve("race-" + race).resolve("cache"));
            long mark = REGISTRY.registry().mark();

            List<Run> runs = new ArrayList<>();
            for (int p = 0; p < PROCESSES; p++) {
                runs.add(start(cache, work.resolve("race-" + race).resolve("p" + p)));
            }
            List<JsonNode> results = new ArrayList<>();
            try {
                for (Run run : runs) {
                    boolean exited = run.process().waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    assertThat(exited).as("race %d: process exited within %ds", race, PROCESS_TIMEOUT_SECONDS).isTrue();
                    assertThat(run.process().exitValue()).as("race %d: exit code; stderr:\n%s", race, run.stderr()).isZero();
                    results.add(Cli.JSON.readTree(run.stdout()));
                }
            } finally {
                runs.forEach(r -> r.process().destroyForcibly());
            }
            List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);

            for (JsonNode result : results) {
                assertThat(result.path("digest").asText()).as("race %d: %s", race, result).isEqualTo(image.digest().toString());
                assertThat(result.path("platform").asText()).isEqualTo("linux/amd64");
                assertThat(result.path("layersFetched").asInt() + result.path("layersCached").asInt()).isEqualTo(layers.size());
            }
            int fetched = results.stream().mapToInt(r -> r.path("layersFetched").asInt()).sum();
            assertThat(fetched).as("race %d: layers fetched by both processes together: %s", race, results)
                    .isEqualTo(layers.size());
            // A process that waited for the other's resolution of the tag says so ("shared"): both were
            // resolving the image before either stored layers, so their pulls overlapped.
            long manifestGets = log.stream().filter(e -> e.method().equals("GET") && e.path().contains("/manifests/")).count();
            if (results.stream().anyMatch(r -> r.path("decision").asText().startsWith("shared"))) {
                racesWithOverlap++;
            }
            System.out.printf("race %d: manifest GETs %d, fetched %s, durations %s%n", race, manifestGets,
                    results.stream().map(r -> r.path("layersFetched").asText()).toList(),
                    results.stream().map(r -> r.path("durationMs").asText()).toList());

            for (Digest layer : layers) {
                assertThat(Cli.blobGets(log, layer)).as("race %d: GETs of layer %s in %s", race, layer, log).hasSize(1);
            }
            assertThat(Cli.blobGets(log, image.config().digest())).as("race %d: GETs of the config", race).hasSize(1);
            assertThat(manifestGets).as("race %d: manifest GETs of both processes together: %s", race, results).isEqualTo(1);

            Path blobs = Cli.blobsDir(cache);
            List<String> names = Cli.files(blobs);
            assertThat(names).as("race %d: blobs", race).hasSize(layers.size() + 2);
            for (String name : names) {
                assertThat(Cli.sha256(blobs.resolve(name)).hex()).as("race %d: sha256 of blob file %s", race, name)
                        .isEqualTo(name);
            }
            assertThat(Cli.allFiles(cache.resolve("store").resolve("ingest"))).as("race %d: leftovers in ingest/", race)
                    .isEmpty();

            long mark2 = REGISTRY.registry().mark();
            JsonNode after = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--json").json();
            assertThat(after.path("source").asText()).as("race %d: the raced store serves a pull", race).isEqualTo("cache");
            assertThat(REGISTRY.registry().requestsSince(mark2)).isEmpty();
        }
        assertThat(racesWithOverlap).as("races in which both processes were pulling at the same time").isPositive();
    }

    private Run start(Path cache, Path outputPrefix) throws IOException {
        Process process = Cli.spawn(outputPrefix, "pull", image.ref(), "--platform", "linux/amd64", "--cache-dir", cache.toString(),
                "--docker-config", Cli.noCredentials().toString(), "--json");
        return new Run(process, outputPrefix.resolveSibling(outputPrefix.getFileName() + ".out"),
                outputPrefix.resolveSibling(outputPrefix.getFileName() + ".err"));
    }
}
