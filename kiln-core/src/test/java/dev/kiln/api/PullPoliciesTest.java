package dev.kiln.api;

import dev.kiln.error.NotCachedException;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pull policies against a real registry, requests counted from its access log. */
class PullPoliciesTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(42);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path cacheDir;
    private final MutableClock clock = new MutableClock();



    private Kiln kiln() {
        return TestKilns.builder(cacheDir).clock(clock).build();
    }

    private static String freshRepo() {
        return REGISTRY.freshRepository("policies/app");
    }

    @Test
    void secondPullOfCachedTagMakesNoRequest() {
        TestImages.Pushed image = REGISTRY.images().push(freshRepo() + ":1", AMD64, 50_000, 80_000, 20_000);
        try (Kiln kiln = kiln()) {
            PullResult cold = kiln.pull(PullRequest.of(image.reference().toString()));
            assertThat(cold.source()).isEqualTo(REGISTRY.registry().hostPort());
            assertThat(cold.digest()).isEqualTo(image.digest().toString());
            assertThat(cold.layersFetched()).isEqualTo(3);
            assertThat(cold.bytesDownloaded()).isGreaterThanOrEqualTo(image.totalLayerBytes());

            long mark = REGISTRY.registry().mark();
            PullResult warm = kiln.pull(PullRequest.of(image.reference().toString()));
            assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
            assertThat(warm.requests()).isZero();
            assertThat(warm.bytesDownloaded()).isZero();
            assertThat(warm.source()).isEqualTo("cache");
            assertThat(warm.layersCached()).isEqualTo(3);
            assertThat(warm.digest()).isEqualTo(cold.digest());
        }
        try (Kiln anotherProcessLikeInstance = kiln()) {
            long mark = REGISTRY.registry().mark();
            anotherProcessLikeInstance.pull(PullRequest.of(image.reference().toString()));
            assertThat(REGISTRY.registry().requestsSince(mark)).as("a new instance reads the same store").isEmpty();
        }
    }

    @Test
    void alwaysMakesOneHeadWhenNothingChanged() {
        TestImages.Pushed image = REGISTRY.images().push(freshRepo() + ":1", AMD64, 30_000);
        try (Kiln kiln = kiln()) {
            kiln.pull(PullRequest.of(image.reference().toString()));
            long mark = REGISTRY.registry().mark();
            PullResult result = kiln.pull(PullRequest.builder(image.reference().toString()).policy(PullPolicy.ALWAYS).build());
            List<AccessLogEntry> requests = REGISTRY.registry().requestsSince(mark);
            assertThat(requests).containsExactly(new AccessLogEntry("HEAD",
                    "/v2/" + image.reference().repository() + "/manifests/1", 200));
            assertThat(result.requests()).isEqualTo(1);
            assertThat(result.decision()).startsWith("revalidated");
            assertThat(result.source()).isEqualTo("cache");
        }
    }

    @Test
    void alwaysDownloadsOnlyTheLayersThatChanged() {
        String repo = freshRepo();
        REGISTRY.images().push(repo + ":1", AMD64, 40_000, 50_000);
        try (Kiln kiln = kiln()) {
            kiln.pull(PullRequest.of(REGISTRY.registry().hostPort() + "/" + repo + ":1"));
            TestImages.Pushed moved = REGISTRY.images().push(repo + ":1", AMD64, 60_000);
            long mark = REGISTRY.registry().mark();
            PullResult result = kiln.pull(PullRequest.builder(moved.reference().toString()).policy(PullPolicy.ALWAYS).build());
            assertThat(result.digest()).isEqualTo(moved.digest().toString());
            assertThat(result.decision()).startsWith("moved");
            List<AccessLogEntry> requests = REGISTRY.registry().requestsSince(mark);
            assertThat(requests.stream().filter(r -> r.method().equals("HEAD"))).hasSize(1);
            assertThat(requests.stream().filter(r -> r.path().contains("/blobs/"))).hasSize(2); // new config + new layer
        }
    }

    @Test
    void revalidateAsksOnlyAfterMaxAgeAndNoticesAMovedTag() {
        String repo = freshRepo();
        TestImages.Pushed first = REGISTRY.images().push(repo + ":1.18", AMD64, 30_000);
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Kiln kiln = TestKilns.builder(cacheDir).clock(clock)
                .listener(e -> {
                    if (e instanceof dev.kiln.event.KilnEvent.Warning w) {
                        warnings.add(w.message());
                    }
                }).build()) {
            PullRequest request = PullRequest.builder(first.reference().toString())
                    .policy(PullPolicy.REVALIDATE).maxAge(Duration.ofMinutes(10)).build();
            kiln.pull(request);
            TestImages.Pushed second = REGISTRY.images().push(repo + ":1.18", AMD64, 35_000);

            clock.advance(Duration.ofMinutes(9));
            long mark = REGISTRY.registry().mark();
            PullResult withinMaxAge = kiln.pull(request);
            assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
            assertThat(withinMaxAge.digest()).isEqualTo(first.digest().toString());

            clock.advance(Duration.ofMinutes(2));
            mark = REGISTRY.registry().mark();
            PullResult afterMaxAge = kiln.pull(request);
            List<AccessLogEntry> requests = REGISTRY.registry().requestsSince(mark);
            assertThat(requests.get(0)).isEqualTo(new AccessLogEntry("HEAD", "/v2/" + repo + "/manifests/1.18", 200));
            assertThat(requests.stream().filter(r -> r.method().equals("HEAD"))).hasSize(1);
            assertThat(afterMaxAge.digest()).isEqualTo(second.digest().toString());
            String moved = repo + ":1.18 moved " + first.digest().shortHex() + " → " + second.digest().shortHex();
            assertThat(afterMaxAge.decision()).contains(moved);
            assertThat(warnings).anyMatch(w -> w.contains(moved));

            mark = REGISTRY.registry().mark();
            kiln.pull(request);
            assertThat(REGISTRY.registry().requestsSince(mark)).as("the check after the move starts a new max-age").isEmpty();
        }
    }

    @Test
    void digestPinnedReferenceNeverAsksAgainEvenUnderAlways() {
        TestImages.Pushed image = REGISTRY.images().push(freshRepo() + ":1", AMD64, 30_000);
        String pinned = image.reference().name() + "@" + image.digest();
        try (Kiln kiln = kiln()) {
            PullResult cold = kiln.pull(PullRequest.of(pinned));
            assertThat(cold.digest()).isEqualTo(image.digest().toString());
            for (PullPolicy policy : PullPolicy.values()) {
                long mark = REGISTRY.registry().mark();
                PullResult warm = kiln.pull(PullRequest.builder(pinned).policy(policy).build());
                assertThat(REGISTRY.registry().requestsSince(mark)).as(policy.cliName()).isEmpty();
                assertThat(warm.decision()).contains("pinned by digest");
            }
        }
    }

    @Test
    void neverWorksOfflineWhenCachedAndFailsClearlyWhenNot() {
        TestImages.Pushed image = REGISTRY.images().push(freshRepo() + ":1", AMD64, 30_000);
        try (Kiln kiln = kiln()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(image.reference().toString()).policy(PullPolicy.NEVER).build()))
                    .isInstanceOf(NotCachedException.class)
                    .hasMessageContaining(image.reference().toString())
                    .hasMessageContaining("'never'");
            assertThat(blobFiles()).isEmpty();

            kiln.pull(PullRequest.of(image.reference().toString()));
            long mark = REGISTRY.registry().mark();
            PullResult offline = kiln.pull(PullRequest.builder(image.reference().toString()).policy(PullPolicy.NEVER).build());
            assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
            assertThat(offline.digest()).isEqualTo(image.digest().toString());
        }
    }

    @Test
    void corruptedBlobInTheStoreIsDetectedAndFetchedAgain() throws Exception {
        TestImages.Pushed image = REGISTRY.images().push(freshRepo() + ":1", AMD64, 40_000, 40_000);
        try (Kiln kiln = kiln()) {
            kiln.pull(PullRequest.of(image.reference().toString()));
            Path layer = kiln.storeDir().resolve("blobs/sha256").resolve(image.layers().get(1).digest().hex());
            byte[] bytes = Files.readAllBytes(layer);
            bytes[bytes.length / 2] ^= 0x01;
            layer.toFile().setWritable(true);
            Files.write(layer, bytes);

            long mark = REGISTRY.registry().mark();
            PullResult repaired = kiln.pull(PullRequest.of(image.reference().toString()));
            assertThat(repaired.layersFetched()).isEqualTo(1);
            assertThat(REGISTRY.registry().requestsSince(mark)).extracting(AccessLogEntry::path)
                    .containsExactly("/v2/" + image.reference().repository() + "/blobs/" + image.layers().get(1).digest());
            assertThat(dev.kiln.image.Digest.sha256(Files.readAllBytes(layer))).isEqualTo(image.layers().get(1).digest());
        }
    }

    @Test
    void verifyRehashesEvenWhenTheStampLooksRight() throws Exception {
        TestImages.Pushed image = REGISTRY.images().push(freshRepo() + ":1", AMD64, 40_000);
        try (Kiln kiln = kiln()) {
            kiln.pull(PullRequest.of(image.reference().toString()));
            Path layer = kiln.storeDir().resolve("blobs/sha256").resolve(image.layers().get(0).digest().hex());
            Path stamp = kiln.storeDir().resolve("verified/sha256").resolve(image.layers().get(0).digest().hex());
            byte[] bytes = Files.readAllBytes(layer);
            bytes[0] ^= 0x01;
            layer.toFile().setWritable(true);
            Files.write(layer, bytes);
            // silent corruption (bit rot): the damaged file's stat matches its verification stamp
            java.util.Map<String, Object> a = Files.readAttributes(layer, "unix:size,lastModifiedTime,ctime,ino");
            Files.writeString(stamp, a.get("size") + " " + a.get("lastModifiedTime") + " " + a.get("ctime") + " " + a.get("ino"));

            PullResult trusting = kiln.pull(PullRequest.of(image.reference().toString()));
            assertThat(trusting.layersFetched()).as("stamps are trusted without --verify").isZero();

            PullResult result = kiln.pull(PullRequest.builder(image.reference().toString()).verify(true).build());
            assertThat(result.layersFetched()).isEqualTo(1);
            assertThat(dev.kiln.image.Digest.sha256(Files.readAllBytes(layer))).isEqualTo(image.layers().get(0).digest());
        }
    }

    private List<Path> blobFiles() {
        Path blobs = cacheDir.resolve("store/blobs/sha256");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(blobs)) {
            return files.toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
