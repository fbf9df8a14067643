package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kiln pull} and {@code kiln build} killed with SIGKILL at random points, {@value #RUNS} runs each
 * (more with {@code -Dkiln.soak.runs=N}); each run prints its seed. Afterwards the store verifies, the
 * next run completes, and a tag on the target is either absent or names an image whose every blob is
 * there. The kills are spread uniformly over the time one uninterrupted run takes (measured first), from
 * JVM start-up to the last request.
 */
class CrashTest {
    private static final int RUNS = Integer.getInteger("kiln.soak.runs", 20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(7);
    private static TestImages.Pushed image;

    @TempDir
    Path work;

    @BeforeAll
    static void pushImage() {
        image = REGISTRY.images().push("crash/base:1", Platform.parse("linux/amd64"), 3_000_000, 2_000_000, 4_000_000);
    }

    private static String[] withStore(Path cache, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--cache-dir";
        all[args.length + 1] = cache.toString();
        all[args.length + 2] = "--docker-config";
        all[args.length + 3] = Cli.noCredentials().toString();
        return all;
    }

    /** How long the command takes when nothing kills it, in its own JVM: the window the kills are spread over. */
    private long fullRunMillis(Path cache, String... args) throws Exception {
        long start = System.nanoTime();
        Process process = Cli.spawn(work.resolve("full-run"), withStore(cache, args));
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("crash window: %d ms for %s%n", millis, args[0]);
        return millis;
    }

    /** Starts the command in its own JVM and SIGKILLs it after a delay from the seed; true if the kill came first. */
    private boolean killAtRandom(long seed, long window, Path cache, String... args) throws Exception {
        long delay = new Random(seed * 0x9E3779B97F4A7C15L).nextLong(window);
        Process process = Cli.spawn(work.resolve("run-" + seed), withStore(cache, args));
        boolean finished = process.waitFor(delay, TimeUnit.MILLISECONDS);
        process.destroyForcibly();   // SIGKILL: no shutdown hooks, no finally blocks
        process.waitFor(30, TimeUnit.SECONDS);
        System.out.printf("crash seed %d: %s after %d ms, %d files left in ingest/%n", seed,
                finished ? "finished before the kill" : "killed", delay, Cli.allFiles(cache.resolve("store/ingest")).size());
        return !finished;
    }

    private static void assertStoreVerifies(Path cache, long seed) {
        if (!Files.isDirectory(cache.resolve("store"))) {
            System.out.printf("crash seed %d: killed before the store was created: nothing to verify%n", seed);
            return;
        }
        Cli.Result verify = Cli.run(cache, "cache", "verify", "--json");
        assertThat(verify.exitCode()).as("seed %d: %s", seed, verify).isZero();
        JsonNode report = verify.json();
        assertThat(report.path("corruptBlobs")).as("seed %d", seed).isEmpty();
        assertThat(report.path("danglingReferences")).as("seed %d", seed).isEmpty();
    }

    @Test
    void aKilledPullLeavesAStoreThatVerifiesAndTheNextPullCompletes() throws Exception {
        long window = fullRunMillis(work.resolve("pull-full"), "pull", image.ref(), "--platform", "linux/amd64");
        int killed = 0;
        for (long seed = 1; seed <= RUNS; seed++) {
            Path cache = work.resolve("pull-" + seed);
            if (killAtRandom(seed, window, cache, "pull", image.ref(), "--platform", "linux/amd64")) {
                killed++;
            }
            assertStoreVerifies(cache, seed);
            JsonNode pulled = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--json").json();
            assertThat(pulled.path("digest").asText()).isEqualTo(image.digest().toString());
            assertStoreVerifies(cache, seed);
            assertThat(Cli.ok(cache, "cache", "verify", "--json").json().path("layersNotFetched").asInt()).isZero();
            Cli.ok(cache, "cache", "prune", "--max-age", "1000d", "--partial-max-age", "0s");   // cleans what the kill left in ingest/
            assertThat(Cli.allFiles(cache.resolve("store/ingest"))).as("seed %d: ingest after prune", seed).isEmpty();
        }
        assertThat(killed).as("runs killed before the pull finished").isGreaterThanOrEqualTo(RUNS / 2);
    }

    @Test
    void aKilledBuildNeverLeavesATagOnAPartialImage() throws Exception {
        Path job = Files.createDirectories(work.resolve("job"));
        Random content = new Random(11);
        for (int i = 0; i < 3; i++) {
            byte[] bytes = new byte[3_000_000];
            content.nextBytes(bytes);
            Files.write(job.resolve("part-" + i + ".bin"), bytes);
        }
        long window = fullRunMillis(work.resolve("build-full"), "build", "--from", image.ref(), "--add", job + ":/opt/job", "--to",
                REGISTRY.registry().hostPort() + "/crash/full:1", "--platform", "linux/amd64");
        int killed = 0;
        for (long seed = 101; seed < 101 + RUNS; seed++) {
            Path cache = work.resolve("build-" + seed);
            String target = REGISTRY.registry().hostPort() + "/crash/app-" + seed + ":1";
            String[] build = {"build", "--from", image.ref(), "--add", job + ":/opt/job", "--to", target, "--platform", "linux/amd64"};
            if (killAtRandom(seed, window, cache, build)) {
                killed++;
            }
            assertTagIsAbsentOrComplete(REGISTRY.registry(), "crash/app-" + seed, seed);
            assertStoreVerifies(cache, seed);
            Cli.ok(cache, build);
            assertStoreVerifies(cache, seed);
            assertThat(manifestStatus("crash/app-" + seed)).isEqualTo(200);
            assertTagIsAbsentOrComplete(REGISTRY.registry(), "crash/app-" + seed, seed);
        }
        assertThat(killed).as("runs killed before the build finished").isGreaterThanOrEqualTo(RUNS / 2);
    }

    private static int manifestStatus(String repository) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(REGISTRY.registry().url() + "/v2/" + repository + "/manifests/1"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The tag is absent, or its manifest's config and every layer are in the registry. */
    static void assertTagIsAbsentOrComplete(RegistryFixture registry, String repository, long seed) throws Exception {
        HttpResponse<byte[]> manifest = HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/manifests/1"))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
        if (manifest.statusCode() == 404) {
            return;
        }
        assertThat(manifest.statusCode()).as("seed %d", seed).isEqualTo(200);
        var parsed = dev.kiln.image.RawManifest.of(manifest.body(), null).asManifest();
        for (Descriptor blob : parsed.blobs()) {
            int status = HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/blobs/" + blob.digest()))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat(status).as("seed %d: blob %s of the tagged image", seed, blob.digest()).isEqualTo(200);
        }
    }

}
