package dev.kiln.cli;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight {@code kiln build} processes, each building a different job on the same base into one empty
 * store: single flight across processes (each base blob downloaded once, counted in the registry's
 * access log), every build succeeds, the store verifies. And {@code kiln cache prune} running over and
 * over while builds run never removes what a build uses.
 */
class ConcurrentBuildsTest {
    private static final int BUILDS = 8;
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(8);
    private static TestImages.Pushed base;

    @TempDir
    Path work;

    @BeforeAll
    static void pushBase() {
        base = REGISTRY.images().push("concurrent/base:1", Platform.parse("linux/amd64"), 3_000_000, 4_000_000, 2_000_000);
    }

    private List<Process> startBuilds(Path cache, int count, String prefix) throws Exception {
        List<Process> builds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path job = Files.writeString(Files.createDirectories(work.resolve(prefix + "-job-" + i)).resolve("job.txt"), "job " + i + "\n");
            builds.add(Cli.spawn(work.resolve(prefix + "-build-" + i), "build", "--from", base.ref(), "--add", job + ":/opt/job.txt",
                    "--to", "oci:" + work.resolve(prefix + "-out-" + i) + ":1", "--platform", "linux/amd64",
                    "--cache-dir", cache.toString(), "--docker-config", Cli.noCredentials().toString()));
        }
        return builds;
    }

    private void awaitSuccess(List<Process> processes, String prefix) throws Exception {
        for (int i = 0; i < processes.size(); i++) {
            Process process = processes.get(i);
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("build %d: %s", i,
                    Files.readString(work.resolve(prefix + "-build-" + i + ".err"))).isZero();
        }
    }

    @Test
    void eightBuildsOnAnEmptyStoreDownloadEachBaseBlobOnce() throws Exception {
        Path cache = work.resolve("cache");
        long mark = REGISTRY.registry().mark();
        awaitSuccess(startBuilds(cache, BUILDS, "eight"), "eight");
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
        for (Descriptor layer : base.layers()) {
            assertThat(Cli.blobGets(log, layer.digest())).as("GETs of base layer %s", layer.digest()).hasSize(1);
        }
        assertThat(Cli.blobGets(log, base.config().digest())).as("GETs of the config").hasSize(1);
        Cli.Result verify = Cli.ok(cache, "cache", "verify", "--json");
        assertThat(verify.json().path("ok").asBoolean()).isTrue();
        assertThat(verify.json().path("layersNotFetched").asInt()).isZero();
        for (int i = 0; i < BUILDS; i++) {
            Path out = work.resolve("eight-out-" + i);
            assertThat(Files.readString(out.resolve("index.json"))).contains("\"1\"");
        }
    }

    @Test
    void pruneRunningDuringBuildsNeverRemovesWhatTheyUse() throws Exception {
        Path cache = work.resolve("cache");
        Files.createDirectories(cache.resolve("store"));   // prune refuses a directory without a store
        List<Process> builds = startBuilds(cache, 4, "pruned");
        int prunes = 0;
        while (builds.stream().anyMatch(Process::isAlive)) {
            // everything unused for 0 s goes: only leases protect what the builds hold
            Cli.ok(cache, "cache", "prune", "--max-age", "0s", "--quiet");
            prunes++;
        }
        awaitSuccess(builds, "pruned");
        assertThat(prunes).as("prunes that ran while builds ran").isPositive();
        for (int i = 0; i < 4; i++) {
            Path layout = work.resolve("pruned-out-" + i);
            // every blob the written image names is in its layout: nothing was removed under a build
            for (String name : Cli.files(layout.resolve("blobs/sha256"))) {
                assertThat(Cli.sha256(layout.resolve("blobs/sha256").resolve(name)).hex()).isEqualTo(name);
            }
            // the base's layers, the job's layer, the config and the manifest
            assertThat(Cli.files(layout.resolve("blobs/sha256"))).hasSize(base.layers().size() + 3);
        }
        assertThat(Cli.ok(cache, "cache", "verify", "--json").json().path("ok").asBoolean()).isTrue();
    }
}
