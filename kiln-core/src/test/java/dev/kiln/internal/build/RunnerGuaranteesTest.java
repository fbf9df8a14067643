package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.FlinkBuildRequest;
import dev.kiln.api.Kiln;
import dev.kiln.api.RebaseRequest;
import dev.kiln.event.KilnEvent;
import dev.kiln.image.Platform;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestJars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static dev.kiln.internal.build.BuildSupport.json;
import static dev.kiln.internal.build.BuildSupport.kilnBuilder;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner is the one place: whatever the recipe (explicit layers, a Dockerfile, a Flink job) and for
 * a rebase, the build is one "build" (or "rebase") step of events, its image is recorded in the ledger,
 * and the store limit is applied after it — none of the flows has code of its own for these.
 */
class RunnerGuaranteesTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(71);
    private static TestImages.Pushed base;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pushBase() {
        base = REGISTRY.images().push("guarantees/base:1", Platform.host(), 4_000, 2_000);
    }

    @Test
    void aBuildOfExplicitLayersGoesThroughTheRunner() throws IOException {
        Path file = Files.writeString(tmp.resolve("app.txt"), "layers");
        assertRunnerDid("build", "guarantees/layers:1", kiln -> kiln.build(BuildRequest.from(base.ref())
                .add(file, "/app/app.txt").to(target("guarantees/layers:1")).build()));
    }

    @Test
    void aDockerfileBuildGoesThroughTheRunner() throws IOException {
        Files.writeString(tmp.resolve("app.txt"), "dockerfile");
        Path dockerfile = Files.writeString(tmp.resolve("Dockerfile"), "FROM " + base.ref() + "\nCOPY app.txt /app/\n");
        assertRunnerDid("build", "guarantees/dockerfile:1", kiln -> kiln.build(BuildRequest.dockerfile(dockerfile, tmp)
                .to(target("guarantees/dockerfile:1")).build()));
    }

    @Test
    void aFlinkBuildGoesThroughTheRunner() throws IOException {
        Path jar = jar(tmp.resolve("job.jar"));
        assertRunnerDid("build", "guarantees/flink:1", kiln -> kiln.buildFlink(FlinkBuildRequest.builder().base(base.ref())
                .jobJar(jar).to(target("guarantees/flink:1")).build()).build());
    }

    @Test
    void aRebaseGoesThroughTheRunnersEnding() throws IOException {
        TestImages.Pushed oldBase = REGISTRY.images().push("guarantees/moving:1", Platform.host(), 3_000);
        Path file = Files.writeString(tmp.resolve("app.txt"), "rebase");
        try (Kiln kiln = kilnBuilder(tmp.resolve("cache")).build()) {
            kiln.build(BuildRequest.from(oldBase.ref()).add(file, "/app/app.txt").to(target("guarantees/rebased:1")).build());
        }
        REGISTRY.images().push("guarantees/moving:1", Platform.host(), 3_500);
        assertRunnerDid("rebase", "guarantees/rebased:1", kiln -> kiln.rebase(RebaseRequest.builder(target("guarantees/rebased:1")).build()));
    }

    /** Runs {@code build} with a store limit of one byte, and checks the events, the ledger and the cleaning. */
    private void assertRunnerDid(String step, String repoAndTag, Function<Kiln, BuildResult> build) throws IOException {
        List<KilnEvent> events = new CopyOnWriteArrayList<>();
        Path cache = tmp.resolve("cache");
        BuildResult result;
        try (Kiln kiln = kilnBuilder(cache).storeLimit(1, 0).listener(events::add).build()) {
            result = build.apply(kiln);
        }
        assertThat(events).as("one %s step around the whole build", step)
                .first().isEqualTo(new KilnEvent.StepStarted(step, target(repoAndTag)));
        assertThat(events).filteredOn(e -> e instanceof KilnEvent.StepFinished f && f.step().equals(step)).hasSize(1);
        assertThat(events).as("the store limit, after the build").last().matches(e -> e instanceof KilnEvent.CacheDecision d
                && d.subject().equals("store") && d.outcome().equals("pruned"), "the store pruned");
        List<String> ledger = Files.readAllLines(cache.resolve("store/ledger.jsonl"));
        JsonNode entry = json(ledger.get(ledger.size() - 1));
        assertThat(entry.get("image").asText()).isEqualTo(target(repoAndTag));
        assertThat(entry.get("digest").asText()).isEqualTo(result.digest());
    }

    private static String target(String repoAndTag) {
        return REGISTRY.registry().hostPort() + "/" + repoAndTag;
    }

    private static Path jar(Path jar) throws IOException {
        return TestJars.withMainClass(jar, "example.Job", "job");
    }
}
