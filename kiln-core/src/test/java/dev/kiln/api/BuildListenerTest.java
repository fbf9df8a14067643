package dev.kiln.api;

import dev.kiln.error.KilnException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a service running several builds on one Kiln relies on: each build's own listener, and an interrupted
 * build (a cancelled one) making no further request.
 */
class BuildListenerTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(41);

    @TempDir
    Path tmp;

    @Test
    void anInterruptedBuildMakesNoRequestAndPublishesNothing() throws IOException {
        String base = REGISTRY.flinkBase().ref();
        Path file = Files.writeString(tmp.resolve("app.txt"), "interrupted");
        String target = REGISTRY.registry().hostPort() + "/listener/interrupted:1";
        try (Kiln kiln = TestKilns.builder(tmp.resolve("cache")).build()) {
            long mark = REGISTRY.registry().mark();
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> kiln.build(BuildRequest.from(base).add(file, "/app/app.txt").to(target).build()))
                        .isInstanceOf(KilnException.class).hasMessageContaining("interrupted during");
            } finally {
                Thread.interrupted();
            }
            assertThat(REGISTRY.registry().requestsSince(mark)).as("no request once interrupted").isEmpty();
            assertThat(kiln.build(BuildRequest.from(base).add(file, "/app/app.txt").to(target).build()).digest())
                    .as("the next build, on a thread not interrupted, runs").startsWith("sha256:");
        }
    }

    @Test
    void theTargetTagIsAskedForWhileTheLayersAreStillBuilding() throws IOException {
        String base = REGISTRY.flinkBase().ref();
        Path file = Files.writeString(tmp.resolve("app.txt"), "overlap");
        String repository = "listener/overlap";
        String tagHead = "/v2/" + repository + "/manifests/1";
        AtomicBoolean askedDuringLayers = new AtomicBoolean();
        try (Kiln kiln = TestKilns.builder(tmp.resolve("cache")).build()) {
            kiln.pull(PullRequest.of(base));
            long mark = REGISTRY.registry().mark();
            // the layer's end waits (up to 10 s) for the tag's HEAD: it comes only if asked before the layers are done
            KilnListener holdTheLayer = event -> {
                if (event instanceof KilnEvent.StepFinished step && step.step().startsWith("layer ") && !askedDuringLayers.get()) {
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (System.nanoTime() < deadline && !askedDuringLayers.get()) {
                        askedDuringLayers.set(REGISTRY.registry().requestsSince(mark).stream()
                                .anyMatch(e -> e.method().equals("HEAD") && e.path().equals(tagHead)));
                    }
                }
            };
            kiln.build(BuildRequest.from(base).add(file, "/app/app.txt").to(REGISTRY.registry().hostPort() + "/" + repository + ":1").build(),
                    holdTheLayer);
            assertThat(askedDuringLayers).as("the tag's HEAD went out while the layer was still building").isTrue();
            assertThat(REGISTRY.registry().requestsSince(mark)).as("asked once").filteredOn(e -> e.method().equals("HEAD") && e.path().equals(tagHead)).hasSize(1);
        }
    }

    @Test
    void eachBuildsListenerGetsThatBuildsEventsAndTheKilnsListenerGetsAll() throws IOException {
        String base = REGISTRY.flinkBase().ref();
        List<KilnEvent> all = new CopyOnWriteArrayList<>();
        List<KilnEvent> first = new CopyOnWriteArrayList<>();
        List<KilnEvent> second = new CopyOnWriteArrayList<>();
        Path file = Files.writeString(tmp.resolve("app.txt"), "listener");
        String one = REGISTRY.registry().hostPort() + "/listener/one:1";
        String two = REGISTRY.registry().hostPort() + "/listener/two:1";
        try (Kiln kiln = TestKilns.builder(tmp.resolve("cache")).listener(all::add).build()) {
            kiln.build(BuildRequest.from(base).add(file, "/app/app.txt").to(one).build(), first::add);
            kiln.build(BuildRequest.from(base).add(file, "/app/other.txt").to(two).build(), second::add);
        }
        assertThat(first).first().isEqualTo(new KilnEvent.StepStarted("build", one));
        assertThat(second).first().isEqualTo(new KilnEvent.StepStarted("build", two));
        assertThat(first).noneMatch(e -> e.toString().contains("listener/two"));
        assertThat(second).noneMatch(e -> e.toString().contains("listener/one"));
        assertThat(all).containsAll(first).containsAll(second);
    }
}
