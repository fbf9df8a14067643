package dev.kiln.api;

import dev.kiln.error.NotCachedException;
import dev.kiln.error.RegistryException;
import dev.kiln.event.KilnEvent;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.FaultProxy.Fault;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * max-stale and stale-if-error against a real registry behind a fault proxy that can make it
 * unreachable (connections dropped) or failing (503).
 */
class StalenessTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(81);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path cacheDir;
    private final MutableClock clock = new MutableClock();
    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    private Kiln kiln() {
        return TestKilns.builder(cacheDir).clock(clock).listener(events::add).build();
    }

    /** An image pulled through {@code proxy}, cached now. */
    private PullRequest cachedThrough(FaultProxy proxy, Kiln kiln) {
        String repo = REGISTRY.freshRepository("staleness/base");
        REGISTRY.images().push(repo + ":1", AMD64, 20_000);
        PullRequest request = PullRequest.builder(proxy.hostPort() + "/" + repo + ":1").platform("linux/amd64").build();
        kiln.pull(request);
        return request;
    }

    private List<String> warnings() {
        return events.stream().filter(e -> e instanceof KilnEvent.Warning).map(e -> ((KilnEvent.Warning) e).message()).toList();
    }

    @Test
    void staleIfErrorUsesTheCachedImageWhenTheRegistryIsDownAndSaysSo() {
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln()) {
            PullRequest cached = cachedThrough(proxy, kiln);
            proxy.on("HEAD", ".+/manifests/1", FaultProxy.ALWAYS, Fault.drop());
            clock.advance(Duration.ofMinutes(10));

            assertThatThrownBy(() -> kiln.pull(cached.toBuilder().policy(PullPolicy.ALWAYS).build())).isInstanceOf(RegistryException.class);

            PullResult stale = kiln.pull(cached.toBuilder().policy(PullPolicy.ALWAYS).staleIfError(true).build());
            assertThat(stale.decision()).startsWith("stale");
            assertThat(stale.source()).isEqualTo("cache");
            assertThat(warnings()).anyMatch(w -> w.contains("unreachable") && w.contains("stale-if-error"));
        }
    }

    @Test
    void serverErrorsCountAsAnOutageButAMissingImageDoesNot() {
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln()) {
            PullRequest cached = cachedThrough(proxy, kiln);
            FaultProxy.Rule unavailable = proxy.on("HEAD", ".+/manifests/1", FaultProxy.ALWAYS, Fault.status(503));
            assertThat(kiln.pull(cached.toBuilder().policy(PullPolicy.ALWAYS).staleIfError(true).build()).decision()).startsWith("stale");
            assertThat(unavailable.hits()).as("retried before giving up").isEqualTo(2);

            proxy.clearRules();
            proxy.on("HEAD", ".+/manifests/1", FaultProxy.ALWAYS, Fault.status(404));
            assertThatThrownBy(() -> kiln.pull(cached.toBuilder().policy(PullPolicy.ALWAYS).staleIfError(true).build()))
                    .as("a tag that is gone is news, not an outage").isInstanceOf(RegistryException.class);
        }
    }

    @Test
    void staleWhileRevalidateBuildsOnTheCachedBaseNowAndTheNextUseTakesTheMovedTag() {
        String repo = REGISTRY.freshRepository("staleness/swr");
        var v1 = REGISTRY.images().push(repo + ":1", AMD64, 20_000);
        PullRequest request = PullRequest.builder(v1.reference().toString()).platform("linux/amd64")
                .policy(PullPolicy.STALE_WHILE_REVALIDATE).maxAge(Duration.ofHours(1)).build();
        try (Kiln kiln = kiln()) {
            kiln.pull(request);
        }
        var v2 = REGISTRY.images().push(repo + ":1", AMD64, 30_000);
        clock.advance(Duration.ofHours(2));

        PullResult now;
        try (Kiln kiln = kiln()) {
            now = kiln.pull(request);
        }
        assertThat(now.digest()).as("the cached base, at once").isEqualTo(v1.digest().toString());
        assertThat(now.requests()).as("no request on the build's path").isZero();
        assertThat(now.decision()).startsWith("stale");
        assertThat(warnings()).anyMatch(w -> w.contains("moved") && w.contains("background check"));

        long mark = REGISTRY.registry().mark();
        try (Kiln kiln = kiln()) {
            // a max-age with if-not-present would be a contradiction (it applies only to the revalidating policies)
            PullResult next = kiln.pull(request.toBuilder().policy(PullPolicy.IF_NOT_PRESENT).maxAge(null).build());
            assertThat(next.digest()).as("recorded by the background check").isEqualTo(v2.digest().toString());
        }
        assertThat(REGISTRY.registry().requestsSince(mark)).noneMatch(e -> e.method().equals("HEAD"));
    }

    @Test
    void beyondMaxStaleATagIsCheckedWhateverThePolicyAndMustAnswer() {
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry()); Kiln kiln = kiln()) {
            PullRequest cached = cachedThrough(proxy, kiln).toBuilder().maxStale(Duration.ofHours(1)).staleIfError(true).build();
            proxy.clearRequests();

            clock.advance(Duration.ofMinutes(30));
            kiln.pull(cached);
            assertThat(proxy.requests()).as("within max-stale, if-not-present asks nothing").isEmpty();

            clock.advance(Duration.ofHours(1));
            PullResult checked = kiln.pull(cached);
            assertThat(proxy.requests("HEAD", ".+/manifests/1")).as("beyond max-stale: one HEAD").hasSize(1);
            assertThat(checked.decision()).startsWith("revalidated");
            proxy.clearRequests();
            kiln.pull(cached);
            assertThat(proxy.requests()).as("the check renewed it").isEmpty();

            clock.advance(Duration.ofHours(2));
            proxy.on("HEAD", ".+/manifests/1", FaultProxy.ALWAYS, Fault.drop());
            assertThatThrownBy(() -> kiln.pull(cached)).as("beyond max-stale, stale-if-error no longer applies")
                    .isInstanceOf(RegistryException.class);
            assertThatThrownBy(() -> kiln.pull(cached.toBuilder().policy(PullPolicy.NEVER).build())).isInstanceOf(NotCachedException.class)
                    .hasMessageContaining("beyond max-stale");
        }
    }
}
