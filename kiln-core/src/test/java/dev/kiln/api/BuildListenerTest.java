package dev.kiln.api;

import dev.kiln.event.KilnEvent;
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

import static org.assertj.core.api.Assertions.assertThat;

/** A build's own listener: a service running several builds on one Kiln tells their events apart. */
class BuildListenerTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(41);

    @TempDir
    Path tmp;

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
