package dev.kiln.api;

import dev.kiln.event.KilnEvent;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A log that never lies: the cache decision of a pull says "hit" only when nothing is requested, and
 * names the layers it fetches when a cached image lacks them; checked against the registry's access log.
 */
class CacheLogTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(131);

    @TempDir
    Path cacheDir;
    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    private Kiln kiln() {
        return TestKilns.builder(cacheDir).listener(events::add).build();
    }

    private List<KilnEvent.CacheDecision> decisions(TestImages.Pushed image) {
        return events.stream().filter(e -> e instanceof KilnEvent.CacheDecision d && d.subject().equals(image.ref()))
                .map(KilnEvent.CacheDecision.class::cast).toList();
    }

    private static String shortDigests(List<Descriptor> layers) {
        return layers.stream().map(l -> "sha256:" + l.digest().shortHex()).collect(Collectors.joining(", "));
    }

    private static List<String> blobGets(List<AccessLogEntry> log) {
        return log.stream().filter(e -> e.method().equals("GET") && e.path().contains("/blobs/"))
                .map(e -> e.path().substring(e.path().lastIndexOf('/') + 1)).toList();
    }

    @Test
    void aPullAfterAnInspectSaysWhichLayersItFetchesAndTheRegistrySeesExactlyThose() throws Exception {
        TestImages.Pushed image = REGISTRY.pushFresh("log/inspected", Platform.parse("linux/amd64"), 20_000, 30_000, 40_000);
        try (Kiln kiln = kiln()) {
            kiln.inspect(PullRequest.of(image.ref()));
            events.clear();

            long mark = REGISTRY.registry().mark();
            PullResult pulled = kiln.pull(PullRequest.of(image.ref()));
            List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
            String expected = "cached manifest, 3 of 3 layers missing: fetching " + shortDigests(image.layers());
            assertThat(decisions(image)).singleElement().satisfies(d -> {
                assertThat(d.outcome()).isEqualTo("partial");
                assertThat(d.reason()).isEqualTo(expected);
            });
            assertThat(pulled.decision()).isEqualTo("partial: " + expected);
            assertThat(blobGets(log)).as("what the log announced, and nothing else")
                    .containsExactlyInAnyOrderElementsOf(image.layers().stream().map(l -> l.digest().toString()).toList());
            assertThat(log).hasSize(3);
            assertThat(pulled.requests()).isEqualTo(3);
            assertThat(pulled.layersFetched()).isEqualTo(3);
            assertThat(pulled.source()).isEqualTo(REGISTRY.registry().hostPort());

            // one layer lost (as after a build that only mounted it at its target): only that one is named and fetched
            Descriptor lost = image.layers().get(1);
            Files.delete(kiln.storeDir().resolve("blobs/sha256").resolve(lost.digest().hex()));
            events.clear();
            mark = REGISTRY.registry().mark();
            PullResult repaired = kiln.pull(PullRequest.of(image.ref()));
            assertThat(decisions(image)).singleElement().satisfies(d -> assertThat(d.reason())
                    .isEqualTo("cached manifest, 1 of 3 layers missing: fetching " + shortDigests(List.of(lost))));
            assertThat(blobGets(REGISTRY.registry().requestsSince(mark))).containsExactly(lost.digest().toString());
            assertThat(repaired.requests()).isEqualTo(1);

            events.clear();
            mark = REGISTRY.registry().mark();
            PullResult hit = kiln.pull(PullRequest.of(image.ref()));
            assertThat(decisions(image)).singleElement().satisfies(d -> assertThat(d.outcome()).isEqualTo("hit"));
            assertThat(REGISTRY.registry().requestsSince(mark)).as("a hit requests nothing").isEmpty();
            assertThat(hit.requests()).isZero();
            assertThat(hit.source()).isEqualTo("cache");
        }
    }

    @Test
    void aBuildOnAnInspectedBaseNamesEachBaseLayerItFetches() throws Exception {
        TestImages.Pushed image = REGISTRY.pushFresh("log/built", Platform.parse("linux/amd64"), 20_000, 30_000);
        Path job = Files.writeString(cacheDir.resolve("job.txt"), "job\n");
        try (Kiln kiln = kiln()) {
            kiln.inspect(PullRequest.of(image.ref()));
            events.clear();
            long mark = REGISTRY.registry().mark();
            kiln.build(BuildRequest.from(image.ref()).add(job, "/opt/job.txt").to("oci:" + cacheDir.resolve("out") + ":t").build());
            List<String> fetched = blobGets(REGISTRY.registry().requestsSince(mark));
            assertThat(decisions(image)).as("the base's manifest and config were cached: a hit, then each layer it needed")
                    .extracting(KilnEvent.CacheDecision::outcome).containsExactlyInAnyOrder("hit", "partial", "partial");
            assertThat(decisions(image)).filteredOn(d -> d.outcome().equals("partial")).extracting(KilnEvent.CacheDecision::reason)
                    .containsExactlyInAnyOrderElementsOf(image.layers().stream().map(l -> "layer sha256:" + l.digest().shortHex()
                            + " is not in the local store and the build needs its bytes: fetching it").toList());
            assertThat(fetched).containsExactlyInAnyOrderElementsOf(image.layers().stream().map(l -> l.digest().toString()).toList());
        }
    }
}
