package dev.kiln.api;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds sharing one {@link Kiln} (as a platform or the service runs them) that resolve the same base
 * at the same time send one manifest request for its tag: a cold base is fetched with one GET, a base
 * past its max-age revalidated with one HEAD. Counted in the registry's access log.
 */
class SharedResolutionTest {
    private static final int BUILDS = 8;
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static RegistryFixture registry;
    private static TestImages.Pushed base;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pushBase() {
        registry = RegistryFixture.plain();
        base = new TestImages(registry, 81).push("flink/base:1", AMD64, 40_000, 30_000, 20_000);
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @Test
    void eightBuildsOnAnUncachedBaseSendOneManifestGetAndFetchEachBlobOnce() throws Exception {
        List<AccessLogEntry> log;
        try (Kiln kiln = TestKilns.kiln(tmp.resolve("cache"))) {
            long mark = registry.mark();
            List<BuildResult> results = buildConcurrently(kiln, "cold");
            log = registry.requestsSince(mark);
            assertThat(results).extracting(r -> r.base().digest()).containsOnly(base.digest().toString());
        }

        assertThat(log).as("requests for the base's tag").filteredOn(e -> e.path().equals(tagPath()))
                .containsExactly(new AccessLogEntry("GET", tagPath(), 200));
        List<Descriptor> blobs = new ArrayList<>(base.layers());
        blobs.add(base.config());
        for (Descriptor blob : blobs) {
            assertThat(log).as("GETs of blob %s", blob.digest())
                    .filteredOn(e -> e.method().equals("GET") && e.path().endsWith("/blobs/" + blob.digest())).hasSize(1);
        }
    }

    @Test
    void eightBuildsOnABasePastItsMaxAgeSendOneHead() throws Exception {
        MutableClock clock = new MutableClock();
        try (Kiln kiln = TestKilns.builder(tmp.resolve("cache")).clock(clock)
                .registryDefaults(registry.hostPort(), PullPolicy.REVALIDATE, Duration.ofMinutes(5), null, null).build()) {
            kiln.build(job("first", 0));
            clock.advance(Duration.ofMinutes(10));
            long mark = registry.mark();
            buildConcurrently(kiln, "revalidate");

            assertThat(registry.requestsSince(mark)).as("requests for the base's tag, past its max-age of 5 minutes")
                    .filteredOn(e -> e.path().equals(tagPath()))
                    .containsExactly(new AccessLogEntry("HEAD", tagPath(), 200));
        }
    }

    private static String tagPath() {
        return "/v2/" + base.reference().repository() + "/manifests/" + base.reference().tag();
    }

    /** {@value #BUILDS} builds of different jobs on the base, started together from as many threads. */
    private List<BuildResult> buildConcurrently(Kiln kiln, String round) throws Exception {
        CyclicBarrier start = new CyclicBarrier(BUILDS);
        ExecutorService threads = Executors.newFixedThreadPool(BUILDS);
        try {
            List<Future<BuildResult>> builds = new ArrayList<>();
            for (int i = 0; i < BUILDS; i++) {
                BuildRequest request = job(round, i);
                builds.add(threads.submit(() -> {
                    start.await();
                    return kiln.build(request);
                }));
            }
            List<BuildResult> results = new ArrayList<>();
            for (Future<BuildResult> build : builds) {
                results.add(build.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    private BuildRequest job(String round, int n) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(round + "-" + n));
        Path jar = Files.writeString(dir.resolve("job.jar"), "job " + round + " " + n);
        return BuildRequest.from(base.ref()).add(jar, "/opt/flink/usrlib/job.jar").to("oci:" + dir.resolve("image") + ":1").build();
    }
}
