package dev.kiln.config;

import dev.kiln.api.Kiln;
import dev.kiln.api.PullRequest;
import dev.kiln.api.PullResult;
import dev.kiln.error.AuthenticationException;
import dev.kiln.error.NotCachedException;
import dev.kiln.event.KilnEvent;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A configuration file applied to Kiln, against real registries: freshness rules, mirrors, credentials, store. */
class ConfigAppliedTest {
    @RegisterExtension
    static final SharedRegistry ORIGIN = SharedRegistry.plain(93);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;
    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    private Kiln kiln(String yaml) throws IOException {
        Path file = tmp.resolve("config.yaml");
        Files.writeString(file, yaml);
        KilnConfig config = ConfigLoader.load(file, Map.of());
        return config.applyTo(TestKilns.builder(tmp.resolve("cache")).listener(events::add)).build();
    }

    private static long manifestRequests(List<AccessLogEntry> log) {
        return log.stream().filter(e -> e.path().contains("/manifests/")).count();
    }

    @Test
    void aRegistrysPolicyAppliesWhereTheRequestGivesNoneAndTheMostSpecificPatternWins() throws IOException {
        TestImages.Pushed image = ORIGIN.pushFresh("config/policy", AMD64, 10_000);
        String host = ORIGIN.registry().hostPort();
        try (Kiln kiln = kiln("""
                registries:
                  "*": { policy: never }
                  "127.0.0.1:*": { policy: if-not-present }
                  "%s": { policy: always }
                """.formatted(host))) {
            kiln.pull(PullRequest.of(image.ref()));
            long mark = ORIGIN.registry().mark();
            PullResult again = kiln.pull(PullRequest.of(image.ref()));
            assertThat(again.decision()).contains("one HEAD");
            assertThat(ORIGIN.registry().requestsSince(mark)).as("always: one HEAD")
                    .containsExactly(new AccessLogEntry("HEAD", "/v2/" + image.reference().repository() + "/manifests/1", 200));
            mark = ORIGIN.registry().mark();
            kiln.pull(PullRequest.builder(image.ref()).policy(PullPolicy.IF_NOT_PRESENT).build());
            assertThat(manifestRequests(ORIGIN.registry().requestsSince(mark))).as("the request's own policy wins").isZero();
        }
        try (Kiln kiln = kiln("registries: { \"*\": { policy: never } }\n")) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(ORIGIN.pushFresh("config/never", AMD64, 1_000).ref())))
                    .isInstanceOf(NotCachedException.class);
        }
    }

    @Test
    void aConfiguredMirrorIsUsedFirstAndTheOriginServesNoBlob() throws IOException {
        TestImages.Pushed image = ORIGIN.pushFresh("config/mirrored", AMD64, 30_000, 10_000);
        try (RegistryFixture mirror = RegistryFixture.proxyOf(ORIGIN.registry())) {
            String yaml = """
                    registries:
                      "%s":
                        mirrors:
                          - { url: "http://%s", resolve: true }
                    """.formatted(ORIGIN.registry().hostPort(), mirror.hostPort());
            try (Kiln warmUp = kiln(yaml)) {
                warmUp.pull(PullRequest.of(image.ref()));   // fills the pull-through cache
            }
            mirror.awaitStored(image);
            deleteCache();
            long origin = ORIGIN.registry().mark();
            PullResult result;
            try (Kiln kiln = kiln(yaml)) {
                result = kiln.pull(PullRequest.of(image.ref()));
            }
            assertThat(result.source()).isEqualTo(mirror.hostPort());
            assertThat(ORIGIN.registry().requestsSince(origin)).noneMatch(e -> e.path().contains("/blobs/"));
        }
    }

    @Test
    @Timeout(30)
    void aSlowMirrorTimesOutAndTheNextLevelServesTheBuild() throws IOException {
        TestImages.Pushed image = ORIGIN.pushFresh("config/slow-mirror", AMD64, 20_000);
        try (FaultProxy slow = FaultProxy.start(ORIGIN.registry())) {
            FaultProxy.Rule stalled = slow.on(null, ".*", FaultProxy.ALWAYS, FaultProxy.Fault.stall(Duration.ofSeconds(60)));
            PullResult result;
            try (Kiln kiln = kiln("""
                    registries:
                      "%s":
                        mirrors: [ { url: "%s", resolve: true, timeout: 300ms } ]
                    """.formatted(ORIGIN.registry().hostPort(), slow.hostPort()))) {
                result = kiln.pull(PullRequest.of(image.ref()));
            }
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(result.source()).isEqualTo(ORIGIN.registry().hostPort());
            assertThat(stalled.hits()).as("a mirror is not retried: the next level is the retry").isEqualTo(1);
            assertThat(events).filteredOn(e -> e instanceof KilnEvent.Warning w && w.message().startsWith("mirror " + slow.hostPort()))
                    .singleElement().asString().contains("timed out");
        }
    }

    @Test
    void credentialsComeFromAPasswordFileAndAWrongOneIsRejected() throws IOException {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed image = new TestImages(registry, 5).push("secure/app:1", AMD64, 5_000);
            Path password = tmp.resolve("password");
            Files.writeString(password, registry.password() + "\n");
            String yaml = """
                    registries:
                      "127.0.0.1:*":
                        credentials: { username: %s, passwordFile: %s }
                    """.formatted(registry.username(), password);
            try (Kiln kiln = kiln(yaml)) {
                assertThat(kiln.pull(PullRequest.of(image.ref())).digest()).isEqualTo(image.digest().toString());
            }
            deleteCache();
            Files.writeString(password, "not-the-password\n");
            try (Kiln kiln = kiln(yaml)) {
                assertThatThrownBy(() -> kiln.pull(PullRequest.of(image.ref()))).isInstanceOf(AuthenticationException.class)
                        .hasMessageNotContaining("not-the-password");
            }
        }
    }

    @Test
    void aCaFileForAGlobOfRegistriesIsTrustedAndWithoutItTlsIsRefused() throws IOException {
        try (RegistryFixture tls = RegistryFixture.tls()) {
            TestImages.Pushed image = new TestImages(tls, 6).push("tls/app:1", AMD64, 5_000);
            try (Kiln kiln = kiln("registries: { \"127.0.0.*:*\": { caFile: %s } }\n".formatted(tls.caCertificate()))) {
                assertThat(kiln.pull(PullRequest.of(image.ref())).digest()).isEqualTo(image.digest().toString());
            }
            deleteCache();
            try (Kiln kiln = kiln("registries: { \"other.example.com\": { caFile: %s } }\n".formatted(tls.caCertificate()))) {
                assertThatThrownBy(() -> kiln.pull(PullRequest.of(image.ref()))).hasMessageContaining("TLS verification failed")
                        .hasMessageContaining("--ca-file");
            }
        }
    }

    @Test
    void theStoreSectionSetsTheDirectory() throws IOException {
        Path dir = tmp.resolve("elsewhere");
        try (Kiln kiln = kiln("store: { dir: %s, maxSize: 1GB }\n".formatted(dir))) {
            assertThat(kiln.storeDir()).isEqualTo(dir.resolve("store"));
        }
    }

    private void deleteCache() throws IOException {
        try (var files = Files.walk(tmp.resolve("cache"))) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
