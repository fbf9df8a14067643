package dev.kiln.api;

import dev.kiln.event.KilnEvent;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mirrors against real registries: Debian's docker-registry as a pull-through cache
 * ({@code proxy.remoteurl}) in front of the origin, access logs on both sides.
 */
class MirrorsTest {
    @RegisterExtension
    static final SharedRegistry ORIGIN = SharedRegistry.plain(91);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;
    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    private Kiln kiln(String cache, String mirror, boolean resolve) {
        return TestKilns.builder(tmp.resolve(cache)).listener(events::add).mirror(ORIGIN.registry().hostPort(), mirror, resolve).build();
    }

    private static List<AccessLogEntry> blobGets(List<AccessLogEntry> log) {
        return log.stream().filter(e -> e.method().equals("GET") && e.path().contains("/blobs/")).toList();
    }

    @Test
    void aResolvingMirrorServesTheWholePullAndTheOriginServesNoBlob() {
        TestImages.Pushed image = ORIGIN.images().push(ORIGIN.freshRepository("mirrors/app") + ":1", AMD64, 40_000, 20_000);
        try (RegistryFixture mirror = RegistryFixture.proxyOf(ORIGIN.registry())) {
            try (Kiln warmUp = kiln("warm-up", mirror.hostPort(), true)) {
                warmUp.pull(PullRequest.of(image.reference().toString()));   // fills the mirror
            }
            mirror.awaitStored(image);
            long origin = ORIGIN.registry().mark();
            long atMirror = mirror.mark();
            PullResult result;
            try (Kiln kiln = kiln("cache", mirror.hostPort(), true)) {
                result = kiln.pull(PullRequest.of(image.reference().toString()));
            }
            assertThat(result.digest()).isEqualTo(image.digest().toString());
            assertThat(result.source()).isEqualTo(mirror.hostPort());
            assertThat(blobGets(ORIGIN.registry().requestsSince(origin))).as("no blob from the origin").isEmpty();
            assertThat(blobGets(mirror.requestsSince(atMirror))).hasSize(image.layers().size() + 1);
        }
    }

    @Test
    void aMirrorForContentOnlyLeavesTagsToTheOrigin() {
        TestImages.Pushed image = ORIGIN.images().push(ORIGIN.freshRepository("mirrors/digest-only") + ":1", AMD64, 30_000);
        try (RegistryFixture mirror = RegistryFixture.proxyOf(ORIGIN.registry())) {
            try (Kiln warmUp = kiln("warm-up", mirror.hostPort(), true)) {
                warmUp.pull(PullRequest.of(image.reference().toString()));
            }
            mirror.awaitStored(image);
            long origin = ORIGIN.registry().mark();
            long atMirror = mirror.mark();
            try (Kiln kiln = kiln("cache", mirror.hostPort(), false)) {
                kiln.pull(PullRequest.of(image.reference().toString()));
            }
            List<AccessLogEntry> originLog = ORIGIN.registry().requestsSince(origin);
            assertThat(originLog).as("the tag is resolved at the origin")
                    .anyMatch(e -> e.path().endsWith("/manifests/1"));
            assertThat(blobGets(originLog)).as("content comes from the mirror").isEmpty();
            assertThat(mirror.requestsSince(atMirror)).noneMatch(e -> e.path().endsWith("/manifests/1"));
        }
    }

    @Test
    void aMirrorThatIsDownIsSkippedWithAWarning() throws IOException {
        TestImages.Pushed image = ORIGIN.images().push(ORIGIN.freshRepository("mirrors/down") + ":1", AMD64, 30_000);
        String nobody;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobody = "127.0.0.1:" + socket.getLocalPort();   // closed again: nothing listens there
        }
        PullResult result;
        try (Kiln kiln = kiln("cache", nobody, true)) {
            result = kiln.pull(PullRequest.builder(image.reference().toString()).policy(PullPolicy.ALWAYS).build());
        }
        assertThat(result.digest()).isEqualTo(image.digest().toString());
        assertThat(result.source()).isEqualTo(ORIGIN.registry().hostPort());
        assertThat(events).filteredOn(e -> e instanceof KilnEvent.Warning w && w.message().startsWith("mirror " + nobody)).hasSize(1);
    }
}
