package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.Kiln;
import dev.kiln.api.PullRequest;
import dev.kiln.api.PullResult;
import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.RegistryException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.FaultProxy.Fault;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through a {@link FaultProxy} in front of a real registry: transient statuses are retried
 * (honouring {@code Retry-After}), persistent ones fail clearly, broken downloads resume with
 * {@code Range}, redirects to another host never carry credentials, and corrupt content is never
 * stored.
 */
class RegistryFaultsTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(0);

    private static final Platform AMD64 = Platform.parse("linux/amd64");


    @TempDir
    Path cache;

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    @Test
    void manifestGetFailingWith503TwiceIsRetriedAndCounted() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 1).push("faults/retry503:1", AMD64, 50_000);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(4)) {
            FaultProxy.Rule rule = proxy.on("GET", "/v2/faults/retry503/manifests/1", 2, Fault.status(503));
            long mark = REGISTRY.registry().mark();

            PullResult result = kiln.pull(request(proxy, image));

            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(rule.hits()).isEqualTo(2);
            assertThat(proxy.requests("GET", ".+/manifests/.+")).extracting(FaultProxy.Request::status)
                    .containsExactly(503, 503, 200);
            assertThat(result.requests()).as("every request that reached the proxy, retries included, is counted")
                    .isEqualTo(proxy.requests().size())
                    .isGreaterThanOrEqualTo(3 + 2); // three manifest GETs, the config and the layer
            assertThat(REGISTRY.registry().requestsSince(mark)).as("the registry answered only the successful attempt")
                    .filteredOn(e -> e.path().contains("/manifests/"))
                    .containsExactly(new AccessLogEntry("GET", "/v2/faults/retry503/manifests/1", 200));
            assertThat(events).filteredOn(KilnEvent.Retrying.class::isInstance).hasSize(2);
            assertStoredAndValid(image.layers().get(0));
        }
    }

    @Test
    void retryWaitsAsLongAsRetryAfterAsks() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 2).push("faults/retryafter:1", AMD64, 20_000);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", ".+/manifests/1", 1, Fault.status(429, Map.of("Retry-After", "1")));

            PullResult result = kiln.pull(request(proxy, image));

            assertThat(result.digest()).isEqualTo(image.digest().toString());
            List<FaultProxy.Request> manifestGets = proxy.requests("GET", ".+/manifests/.+");
            assertThat(manifestGets).extracting(FaultProxy.Request::status).containsExactly(429, 200);
            long gapMillis = (manifestGets.get(1).receivedNanos() - manifestGets.get(0).receivedNanos()) / 1_000_000;
            assertThat(gapMillis).as("the retry came after Retry-After (1 s), not after the 10 ms backoff")
                    .isGreaterThanOrEqualTo(900);
            assertThat(events).filteredOn(KilnEvent.Retrying.class::isInstance).map(KilnEvent.Retrying.class::cast)
                    .singleElement().satisfies(retry -> {
                        assertThat(retry.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
                        assertThat(retry.reason()).contains("429");
                    });
        }
    }

    @Test
    void persistent500OnTheManifestFailsAfterMaxAttemptsAndStoresNothing() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 3).push("faults/down:1", AMD64, 20_000);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", ".+/manifests/.+", FaultProxy.ALWAYS, Fault.status(500));

            assertThatThrownBy(() -> kiln.pull(request(proxy, image)))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining(proxy.hostPort())
                    .hasMessageContaining("500");

            assertThat(proxy.requests("GET", ".+/manifests/.+")).hasSize(3);
            assertThat(files(kiln.storeDir().resolve("blobs"))).isEmpty();
            assertThat(files(kiln.storeDir().resolve("ingest"))).isEmpty();
        }
    }

    @Test
    void persistent500OnALayerFailsAfterMaxAttemptsAndLeavesNoPartialBlob() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 4).push("faults/layerdown:1", AMD64, 200_000);
        Descriptor layer = image.layers().get(0);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", ".+/blobs/" + layer.digest(), FaultProxy.ALWAYS, Fault.status(500));

            assertThatThrownBy(() -> kiln.pull(request(proxy, image)))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining(proxy.hostPort())
                    .hasMessageContaining("500")
                    .hasMessageContaining(layer.digest().shortHex());

            assertThat(proxy.requests("GET", ".+/blobs/" + layer.digest())).hasSize(3);
            assertThat(blob(layer.digest())).doesNotExist();
            assertThat(files(kiln.storeDir().resolve("ingest"))).isEmpty();
        }
    }

    @Test
    void connectionResetInTheMiddleOfALayerResumesWithRange() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 5).push("faults/reset:1", AMD64, 1_000_000);
        Descriptor layer = image.layers().get(0);
        assertThat(layer.size()).isGreaterThan(900_000);
        String layerPath = "/v2/faults/reset/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", layerPath, 1, Fault.resetAfter(100_000));

            PullResult result = kiln.pull(request(proxy, image));

            assertThat(result.layersFetched()).isEqualTo(1);
            List<FaultProxy.Request> gets = proxy.requests("GET", layerPath);
            assertThat(gets).hasSize(2);
            assertThat(gets.get(0).range()).isEmpty();
            assertThat(gets.get(0).fault()).startsWith("reset");
            String range = gets.get(1).range().orElseThrow(() -> new AssertionError("the second GET has no Range header"));
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            assertThat(m.matches()).as("Range header %s", range).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("resumed where the connection broke").isBetween(1L, 100_000L);
            assertThat(gets.get(1).status()).isEqualTo(206);
            assertThat(result.bytesDownloaded()).as("nothing was downloaded twice")
                    .isLessThan(layer.size() + image.config().size() + image.manifest().bytes().length + 1);
            assertStoredAndValid(layer);
            assertThat(files(kiln.storeDir().resolve("ingest"))).isEmpty();
        }
    }

    @Test
    void resumeAgainstAServerIgnoringRangeStartsOverAndStillVerifies() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 8).push("faults/norange:1", AMD64, 400_000);
        Descriptor layer = image.layers().get(0);
        String layerPath = "/v2/faults/norange/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", layerPath, 1, Fault.resetAfter(100_000));
            proxy.on("GET", layerPath, 1, Fault.ignoreRange());

            PullResult result = kiln.pull(request(proxy, image));

            List<FaultProxy.Request> gets = proxy.requests("GET", layerPath);
            assertThat(gets).hasSize(2);
            assertThat(gets.get(1).range()).as("Kiln asked for the rest").isPresent();
            assertThat(gets.get(1).status()).as("but got the whole blob").isEqualTo(200);
            assertThat(result.bytesDownloaded()).as("the partial first attempt was downloaded on top of the whole blob")
                    .isGreaterThan(layer.size());
            assertStoredAndValid(layer);
            assertThat(files(kiln.storeDir().resolve("ingest"))).isEmpty();
        }
    }

    @Test
    void resetsThatStillMakeProgressAreResumedUntilTheBlobIsComplete() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 9).push("faults/flaky:1", AMD64, 200_000);
        Descriptor layer = image.layers().get(0);
        String layerPath = "/v2/faults/flaky/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", layerPath, FaultProxy.ALWAYS, Fault.resetAfter(40_000));

            PullResult result = kiln.pull(request(proxy, image));

            assertThat(result.digest()).isEqualTo(image.digest().toString());
            List<FaultProxy.Request> gets = proxy.requests("GET", layerPath);
            assertThat(gets).as("one request per 40 kB slice").hasSizeGreaterThanOrEqualTo(5);
            List<Long> offsets = gets.stream().skip(1)
                    .map(r -> Long.parseLong(r.range().orElse("bytes=0-").replaceAll("\\D", "")))
                    .toList();
            assertThat(offsets).as("each resume continues after the bytes already received").isSorted().doesNotHaveDuplicates()
                    .allSatisfy(offset -> assertThat(offset).isPositive());
            assertStoredAndValid(layer);
        }
    }

    @Test
    void resetsWithoutProgressGiveUpAfterBoundedAttempts() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 19).push("faults/dead:1", AMD64, 100_000);
        Descriptor layer = image.layers().get(0);
        String layerPath = "/v2/faults/dead/blobs/" + layer.digest();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", layerPath, FaultProxy.ALWAYS, Fault.resetAfter(0));

            assertThatThrownBy(() -> kiln.pull(request(proxy, image)))
                    .isInstanceOf(RegistryUnreachableException.class)
                    .hasMessageContaining(proxy.hostPort())
                    .hasMessageContaining(layer.digest().shortHex())
                    .hasMessageContaining("without progress");
            assertThat(proxy.requests("GET", layerPath)).as("a first attempt and a bounded number of resumes").hasSizeBetween(2, 10);
            assertThat(blob(layer.digest())).doesNotExist();
            assertThat(files(kiln.storeDir().resolve("ingest"))).isEmpty();
        }
    }

    @Test
    void droppedConnectionOnTheManifestIsRetried() {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 10).push("faults/drop:1", AMD64, 20_000);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", ".+/manifests/.+", 1, Fault.drop());

            PullResult result = kiln.pull(request(proxy, image));

            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(proxy.requests("GET", ".+/manifests/.+")).extracting(FaultProxy.Request::status)
                    .containsExactly(0, 200);
        }
    }

    @Test
    void redirectedBlobDownloadsNeverCarryCredentialsToTheOtherHost() throws IOException {
        try (RegistryFixture authRegistry = RegistryFixture.basicAuth();
             FaultProxy proxy = FaultProxy.start(authRegistry)) {
            TestImages.Pushed image = new TestImages(authRegistry, 6).push("faults/redirect:1", AMD64, 300_000);
            proxy.on("GET", ".+/blobs/sha256:[0-9a-f]+", FaultProxy.ALWAYS, Fault.redirectToBlobStore());
            String expectedAuthorization = "Basic " + Base64.getEncoder().encodeToString(
                    (authRegistry.username() + ":" + authRegistry.password()).getBytes(StandardCharsets.UTF_8));
            long mark = authRegistry.mark();
            try (Kiln kiln = TestKilns.builder(cache).credential(proxy.hostPort(), authRegistry.username(), authRegistry.password())
                    .retries(3, Duration.ofMillis(10)).build()) {

                PullResult result = kiln.pull(request(proxy, image));

                assertThat(result.digest()).isEqualTo(image.digest().toString());
                assertThat(proxy.blobStoreRequests()).as("config and layer came from the blob store")
                        .hasSize(2)
                        .allSatisfy(r -> {
                            assertThat(r.status()).isEqualTo(200);
                            assertThat(r.authorization()).as("Authorization sent to %s", proxy.blobStoreHostPort()).isEmpty();
                        });
                assertThat(proxy.requests("GET", ".+/blobs/.+")).as("Kiln did hold credentials for the redirected requests")
                        .hasSize(2)
                        .allSatisfy(r -> {
                            assertThat(r.status()).isEqualTo(307);
                            assertThat(r.authorization()).hasValue(expectedAuthorization);
                        });
                assertThat(proxy.requests("GET", ".+/manifests/.+")).extracting(FaultProxy.Request::authorization)
                        .contains(java.util.Optional.of(expectedAuthorization));
                assertThat(authRegistry.requestsSince(mark)).as("the registry received and accepted the credentials")
                        .contains(new AccessLogEntry("GET", "/v2/faults/redirect/manifests/1", 200));
                assertStoredAndValid(image.layers().get(0));
            }
        }
    }

    @Test
    void layerNotMatchingItsDigestIsRejectedAndNotStored() throws IOException {
        TestImages.Pushed image = new TestImages(REGISTRY.registry(), 7).push("faults/corrupt:1", AMD64, 200_000);
        Descriptor layer = image.layers().get(0);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln(3)) {
            proxy.on("GET", ".+/blobs/" + layer.digest(), FaultProxy.ALWAYS, Fault.corruptByteAt(1_000));

            assertThatThrownBy(() -> kiln.pull(request(proxy, image)))
                    .isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining(layer.digest().toString());

            assertThat(blob(layer.digest())).doesNotExist();
            assertThat(kiln.storeDir().resolve("verified/sha256").resolve(layer.digest().hex())).doesNotExist();
            assertThat(files(kiln.storeDir().resolve("ingest"))).isEmpty();

            proxy.clearRules();
            PullResult retry = kiln.pull(request(proxy, image));
            assertThat(retry.layersFetched()).as("the corrupt download left nothing that passes for the layer").isEqualTo(1);
            assertStoredAndValid(layer);
        }
    }

    @Test
    void unreachableRegistryFailsNamingIt() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        String hostPort = "127.0.0.1:" + port;
        try (Kiln kiln = kiln(2)) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(hostPort + "/faults/nowhere:1").platform("linux/amd64").build()))
                    .isInstanceOf(RegistryUnreachableException.class)
                    .hasMessageContaining(hostPort)
                    .hasMessageContaining("2 attempts");
            assertThat(events).filteredOn(KilnEvent.Retrying.class::isInstance).hasSize(1);
            assertThat(files(kiln.storeDir().resolve("blobs"))).isEmpty();
        }
    }

    @Test
    void anUnknownHostIsNamedAsSuchAndNotRetried() throws IOException {
        try (Kiln kiln = kiln(4)) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder("nonexistent.invalid/faults/nowhere:1").platform("linux/amd64").build()))
                    .isInstanceOfSatisfying(RegistryUnreachableException.class, e -> {
                        assertThat(e.registry()).hasValue("nonexistent.invalid");
                        assertThat(e.status()).isEmpty();
                        assertThat(e.isUnreachable()).isTrue();
                    })
                    .hasMessageStartingWith("cannot reach registry nonexistent.invalid for ")
                    .hasMessageEndingWith(": unknown host nonexistent.invalid")
                    .hasMessageNotContaining("docker login");
            assertThat(events).as("one attempt: no retry").noneMatch(KilnEvent.Retrying.class::isInstance);
            assertThat(files(kiln.storeDir().resolve("blobs"))).isEmpty();
        }
    }

    private Kiln kiln(int attempts) {
        KilnListener listener = events::add;
        return TestKilns.builder(cache)
                .retries(attempts, Duration.ofMillis(10))
                .listener(listener)
                .build();
    }

    /** The image's reference, but on the proxy: same repository and tag, the proxy's host:port. */
    private static PullRequest request(FaultProxy proxy, TestImages.Pushed image) {
        return PullRequest.builder(proxy.hostPort() + "/" + image.reference().repository() + ":" + image.reference().tag())
                .platform(AMD64.toString()).build();
    }

    private Path blob(Digest digest) {
        return cache.resolve("store/blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    private void assertStoredAndValid(Descriptor layer) throws IOException {
        Path stored = blob(layer.digest());
        assertThat(stored).exists();
        byte[] content = Files.readAllBytes(stored);
        assertThat(content).hasSize((int) layer.size());
        assertThat(Digest.sha256(content)).isEqualTo(layer.digest());
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
