package dev.kiln.api;

import dev.kiln.error.KilnException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.StoreException;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.Platform;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.FaultProxy.Fault;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults and hostile input that the registry and the machine can throw at a pull, injected by the
 * fault proxy in front of a real registry (or a small tmpfs for a full disk). After each: a clear
 * outcome, and a store that verifies.
 */
class ReliabilityTest {
    @RegisterExtension
    static final SharedRegistry ORIGIN = SharedRegistry.plain(131);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;

    private KilnBuilder builder() {
        return TestKilns.builder(tmp.resolve("cache"));
    }

    private Kiln kiln() {
        return builder().retries(4, Duration.ofMillis(10)).build();
    }

    private static String via(FaultProxy proxy, TestImages.Pushed image) {
        return proxy.hostPort() + "/" + image.reference().repository() + ":" + image.reference().tag();
    }

    private static String blobPath(Descriptor blob) {
        return ".*/blobs/" + blob.digest();
    }

    private static void assertVerifies(Kiln kiln) {
        StoreVerification report = kiln.verifyStore();
        assertThat(report.ok()).as("store verifies: %s", report).isTrue();
    }

    @Test
    void aTruncatedBodyIsResumedWithRangeAndVerifies() {
        TestImages.Pushed image = ORIGIN.pushFresh("reliability/truncated", AMD64, 200_000);
        try (FaultProxy proxy = FaultProxy.start(ORIGIN.registry()); Kiln kiln = kiln()) {
            proxy.on("GET", blobPath(image.layers().get(0)), 1, Fault.closeAfter(50_000));
            PullResult result = kiln.pull(PullRequest.of(via(proxy, image)));
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(proxy.requests("GET", blobPath(image.layers().get(0)))).hasSize(2)
                    .last().satisfies(r -> assertThat(r.range()).contains("bytes=50000-"));
            assertVerifies(kiln);
        }
    }

    @Test
    @Timeout(60)
    void aStalledTransferTimesOutAndIsResumed() {
        TestImages.Pushed image = ORIGIN.pushFresh("reliability/stalled", AMD64, 200_000);
        try (FaultProxy proxy = FaultProxy.start(ORIGIN.registry());
             Kiln kiln = builder().retries(4, Duration.ofMillis(10)).timeouts(Duration.ofSeconds(2), Duration.ofMillis(500)).build()) {
            proxy.on("GET", blobPath(image.layers().get(0)), 1, Fault.stallAfter(30_000, Duration.ofSeconds(20)));
            PullResult result = kiln.pull(PullRequest.of(via(proxy, image)));
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(proxy.requests("GET", blobPath(image.layers().get(0))).get(1).range()).contains("bytes=30000-");
            assertVerifies(kiln);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 429})
    void aBurstOfServerErrorsIsRetried(int status) {
        TestImages.Pushed image = ORIGIN.pushFresh("reliability/burst-" + status, AMD64, 20_000);
        try (FaultProxy proxy = FaultProxy.start(ORIGIN.registry()); Kiln kiln = builder().retries(5, Duration.ofMillis(10)).build()) {
            Map<String, String> headers = status == 429 ? Map.of("Retry-After", "1") : Map.of();
            proxy.on("GET", ".*/manifests/.*", 3, Fault.status(status, headers));
            proxy.on("GET", blobPath(image.layers().get(0)), 3, Fault.status(status, headers));
            PullResult result = kiln.pull(PullRequest.of(via(proxy, image)));
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(proxy.requests("GET", blobPath(image.layers().get(0)))).extracting(FaultProxy.Request::status)
                    .containsExactly(status, status, status, 200);
            assertVerifies(kiln);
        }
    }

    @Test
    void aRedirectToABlobStoreThatFailsOnceIsRetried() {
        TestImages.Pushed image = ORIGIN.pushFresh("reliability/blob-store", AMD64, 40_000);
        try (FaultProxy proxy = FaultProxy.start(ORIGIN.registry()); Kiln kiln = kiln()) {
            proxy.on("GET", ".*/blobs/.*", FaultProxy.ALWAYS, Fault.redirectToBlobStore());
            proxy.failBlobStore(1, 503);
            PullResult result = kiln.pull(PullRequest.of(via(proxy, image)));
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(proxy.blobStoreRequests()).extracting(FaultProxy.Request::status).startsWith(503).contains(200);
            assertVerifies(kiln);
        }
    }

    /** A registry that answers the tag with {@code body}: the pull fails with {@code message}, and nothing is stored. */
    private void assertRefused(String repository, String contentType, byte[] body, String message) {
        TestImages.Pushed image = ORIGIN.pushFresh(repository, AMD64, 1_000);
        try (FaultProxy proxy = FaultProxy.start(ORIGIN.registry()); Kiln kiln = kiln()) {
            proxy.on("GET", ".*/manifests/1", FaultProxy.ALWAYS, Fault.body(200, contentType, body));
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(via(proxy, image)))).isInstanceOf(KilnException.class)
                    .hasMessageContaining(message);
            assertThat(kiln.cachedImages()).isEmpty();
            assertVerifies(kiln);
        }
    }

    @Test
    void aHugeManifestIsRefused() {
        byte[] huge = ("{\"schemaVersion\":2,\"annotations\":{\"x\":\"" + "a".repeat(5 * 1024 * 1024) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        assertRefused("reliability/huge-manifest", MediaTypes.OCI_MANIFEST, huge, "exceeds " + ImageJson.MAX_MANIFEST_BYTES + " bytes");
    }

    @Test
    void malformedJsonIsRefused() {
        assertRefused("reliability/malformed", MediaTypes.OCI_MANIFEST,
                "{\"schemaVersion\": 2, \"layers\": [".getBytes(StandardCharsets.UTF_8), "reliability/malformed");
    }

    @Test
    void anUnknownMediaTypeIsRefused() {
        assertRefused("reliability/unknown-type", "application/vnd.example.thing+json",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.thing+json\"}".getBytes(StandardCharsets.UTF_8),
                "application/vnd.example.thing+json");
    }

    @Test
    void anIndexThatNestsAnIndexIsRefused() {
        byte[] inner = ImageJson.write(Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_INDEX, "manifests", List.of()));
        Digest innerDigest = Digest.sha256(inner);
        byte[] outer = ImageJson.write(Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_INDEX, "manifests", List.of(Map.of(
                "mediaType", MediaTypes.OCI_INDEX, "digest", innerDigest.toString(), "size", inner.length,
                "platform", Map.of("os", "linux", "architecture", "amd64")))));
        TestImages.Pushed image = ORIGIN.pushFresh("reliability/nested", AMD64, 1_000);
        try (FaultProxy proxy = FaultProxy.start(ORIGIN.registry()); Kiln kiln = kiln()) {
            proxy.on("GET", ".*/manifests/1", FaultProxy.ALWAYS, Fault.body(200, MediaTypes.OCI_INDEX, outer));
            proxy.on("GET", ".*/manifests/" + innerDigest, FaultProxy.ALWAYS, Fault.body(200, MediaTypes.OCI_INDEX, inner));
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(via(proxy, image)).platform("linux/amd64").build()))
                    .hasMessageContaining("nests an index inside an index");
            assertVerifies(kiln);
        }
    }

    @Test
    void aConfigAboveTheLimitIsRefusedBeforeItIsFetched() {
        TestImages.Pushed image = ORIGIN.pushFresh("reliability/huge-config", AMD64, 1_000);
        byte[] manifest = ImageJson.write(Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_MANIFEST,
                "config", Map.of("mediaType", MediaTypes.OCI_CONFIG, "digest", image.config().digest().toString(), "size", 50_000_000),
                "layers", List.of()));
        try (FaultProxy proxy = FaultProxy.start(ORIGIN.registry()); Kiln kiln = kiln()) {
            proxy.on("GET", ".*/manifests/1", FaultProxy.ALWAYS, Fault.body(200, MediaTypes.OCI_MANIFEST, manifest));
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(via(proxy, image)))).hasMessageContaining("above Kiln's limit");
            assertThat(proxy.requests("GET", ".*/blobs/.*")).as("nothing fetched").isEmpty();
            assertVerifies(kiln);
        }
    }

    @Test
    void aReferenceOfAbsurdLengthIsRefusedAtOnce() {
        try (Kiln kiln = kiln()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.of("registry.example.com/" + "a/".repeat(200_000) + "app:1")))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("longer than 255 characters");
        }
    }

    @Test
    void aDiskThatFillsDuringAPullIsAClearErrorAndTheStoreVerifiesOnceSpaceIsFreed() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("small"));
        Process tmpfs = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString()).inheritIO().start();
        Assumptions.assumeTrue(tmpfs.waitFor() == 0, "needs root to mount a small tmpfs");
        try {
            TestImages.Pushed image = ORIGIN.pushFresh("reliability/full-disk", AMD64, 1_500_000, 1_500_000);
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[4 * 1024 * 1024]);
            try (Kiln kiln = TestKilns.kiln(mount.resolve("kiln"))) {
                assertThatThrownBy(() -> kiln.pull(PullRequest.of(image.ref()))).isInstanceOf(StoreException.class)
                        .hasMessageContaining("No space left on device");
                try (var blobs = Files.list(mount.resolve("kiln/store/blobs/sha256"))) {
                    for (Path blob : blobs.toList()) {
                        assertThat(Digest.sha256(Files.readAllBytes(blob)).hex()).as("no partial blob is visible")
                                .isEqualTo(blob.getFileName().toString());
                    }
                }
                try (var ingest = Files.list(mount.resolve("kiln/store/ingest"))) {
                    assertThat(ingest.toList()).as("the failed download left nothing in ingest/").isEmpty();
                }
                assertVerifies(kiln);
                Files.delete(filler);
                assertThat(kiln.pull(PullRequest.of(image.ref())).digest()).isEqualTo(image.digest().toString());
                StoreVerification after = kiln.verifyStore();
                assertThat(after.ok()).isTrue();
                assertThat(after.layersNotFetched()).isZero();
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }
}
