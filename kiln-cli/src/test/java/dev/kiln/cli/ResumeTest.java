package dev.kiln.cli;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cold {@code kiln pull} of a three-layer image, stopped by a signal while every layer is about 40%
 * downloaded (the path to the registry stalls there), is continued by the next run: the registry's
 * access log shows that the rerun asked only for the missing bytes, and the store verifies.
 */
class ResumeTest {
    private static final int LAYER = 3_000_000;
    private static final long STALL_AT = 1_200_000;
    /** What a rerun may fetch again of one layer beyond the missing bytes: one write buffer's worth. */
    private static final long CHUNK = 1 << 16;

    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(13);

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"INT", "TERM", "KILL"})
    void anInterruptedPullIsContinuedByTheNextRunFetchingOnlyTheMissingBytes(String signal) throws Exception {
        TestImages.Pushed image = REGISTRY.pushFresh("resume/" + signal.toLowerCase() + "-", Platform.parse("linux/amd64"), LAYER, LAYER, LAYER);
        Path cache = work.resolve("cache");
        try (FaultProxy proxy = FaultProxy.start(REGISTRY.registry())) {
            String layers = image.layers().stream().map(l -> l.digest().hex()).collect(Collectors.joining("|"));
            proxy.on("GET", ".*/blobs/sha256:(" + layers + ")", FaultProxy.ALWAYS, FaultProxy.Fault.stallAfter(STALL_AT, Duration.ofSeconds(120)));
            String ref = proxy.hostPort() + "/" + image.reference().repository() + ":1";

            Process pull = Cli.spawn(work.resolve("interrupted"), "pull", ref, "--platform", "linux/amd64", "--cache-dir", cache.toString(),
                    "--docker-config", Cli.noCredentials().toString());
            Path ingest = cache.resolve("store/ingest");
            awaitPartials(ingest, image.layers().size(), pull);
            stop(pull, signal);
            assertThat(pull.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String err = Files.readString(work.resolve("interrupted.err"));
            switch (signal) {
                case "INT" -> assertThat(pull.exitValue()).as(err).isEqualTo(130);
                case "TERM" -> assertThat(pull.exitValue()).as(err).isEqualTo(143);
                default -> assertThat(pull.exitValue()).isEqualTo(137);
            }
            if (!signal.equals("KILL")) {
                assertThat(err.lines().filter(l -> l.startsWith("interrupted")).toList()).as(err)
                        .singleElement().asString().matches("interrupted: [0-9.]+ MB kept for the next run");
            }
            List<Path> partials = Cli.allFiles(ingest);
            long kept = Cli.totalSize(partials);
            assertThat(partials).hasSize(3);
            assertThat(kept).as("bytes kept in ingest/").isBetween(3 * STALL_AT, 3 * (STALL_AT + CHUNK));
            assertThat(Cli.blobFiles(cache)).as("partial downloads are never blobs")
                    .doesNotContainAnyElementsOf(image.layers().stream().map(l -> l.digest().hex()).toList());

            proxy.clearRules();
            long mark = REGISTRY.registry().mark();
            Cli.ok(work.resolve("cache"), "pull", ref, "--platform", "linux/amd64");
            long total = image.layers().stream().mapToLong(Descriptor::size).sum();
            long refetched = REGISTRY.registry().bytesSentSince(mark,
                    e -> e.method().equals("GET") && image.layers().stream().anyMatch(l -> e.path().endsWith("/blobs/" + l.digest())));
            System.out.printf("resume after SIG%s: %d of %d layer bytes kept, the rerun fetched %d%n", signal, kept, total, refetched);
            assertThat(refetched).as("layer bytes the rerun fetched").isBetween(total - kept, total - kept + 3 * CHUNK);
            assertThat(REGISTRY.registry().requestsSince(mark).stream()
                    .filter(e -> e.method().equals("GET") && e.path().contains("/blobs/"))
                    .filter(e -> image.layers().stream().anyMatch(l -> e.path().endsWith("/blobs/" + l.digest())))
                    .map(e -> e.status()).toList()).as("ranged requests").containsOnly(206).hasSize(3);
            assertThat(Cli.allFiles(ingest)).as("ingest/ after the rerun").isEmpty();
            assertThat(Cli.ok(cache, "cache", "verify").exitCode()).isZero();
        }
    }

    private static void awaitPartials(Path ingest, int layers, Process pull) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                List<Path> files = Cli.allFiles(ingest);
                if (files.size() == layers && files.stream().allMatch(f -> Cli.totalSize(List.of(f)) >= STALL_AT)) {
                    return;
                }
            } catch (java.io.UncheckedIOException committedMeanwhile) {
                // the config's ingest file was renamed into blobs/ while the directory was listed
            }
            assertThat(pull.isAlive()).as("the pull is still running").isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("the layers' partial downloads never reached " + STALL_AT + " bytes: " + Cli.allFiles(ingest));
    }

    private static void stop(Process process, String signal) throws Exception {
        if (signal.equals("KILL")) {
            process.destroyForcibly();
        } else {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
        }
    }
}
