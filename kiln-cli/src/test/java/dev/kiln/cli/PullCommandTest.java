package dev.kiln.cli;

import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln pull} against a real registry: JSON and human output, cache decisions, policies; requests read from the access log. */
class PullCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(7);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path cache;



    private static TestImages.Pushed pushFresh() {
        return REGISTRY.images().push(REGISTRY.freshRepository("cli/pull") + ":1", AMD64, 200_000, 300_000);
    }

    @Test
    void jsonPullReportsMissThenSecondPullIsServedFromCacheWithoutAnyRequest() {
        TestImages.Pushed image = pushFresh();

        long before = REGISTRY.registry().mark();
        Cli.Result cold = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--json");
        List<AccessLogEntry> coldLog = REGISTRY.registry().requestsSince(before);
        JsonNode first = cold.json();

        assertThat(first.path("reference").asText()).isEqualTo(image.ref());
        assertThat(first.path("digest").asText()).isEqualTo(image.digest().toString());
        assertThat(first.path("platform").asText()).isEqualTo("linux/amd64");
        assertThat(first.path("source").asText()).isEqualTo(REGISTRY.registry().hostPort());
        assertThat(first.path("requests").isIntegralNumber()).as("requests is a number: %s", first).isTrue();
        assertThat(first.path("requests").asLong()).isPositive();
        assertThat(first.path("requests").asLong()).as("requests counted by kiln vs. the registry's access log %s", coldLog)
                .isEqualTo(coldLog.size());
        assertThat(first.path("bytesDownloaded").asLong()).isGreaterThanOrEqualTo(image.totalLayerBytes());
        assertThat(first.has("durationMs")).as("durationMs in %s", first).isTrue();
        assertThat(first.path("durationMs").isIntegralNumber()).isTrue();
        assertThat(first.path("durationMs").asLong()).isNotNegative();
        assertThat(first.has("duration")).as("the Duration is replaced by durationMs").isFalse();
        assertThat(first.path("layersFetched").asInt()).isEqualTo(2);
        assertThat(first.path("layersCached").asInt()).isZero();
        assertThat(first.path("decision").asText()).startsWith("miss");
        assertThat(first.path("layers")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            Descriptor layer = image.layers().get(i);
            assertThat(first.path("layers").get(i).path("digest").asText()).isEqualTo(layer.digest().toString());
            assertThat(first.path("layers").get(i).path("size").asLong()).isEqualTo(layer.size());
        }
        assertThat(cold.err()).as("--json prints no step log").isEmpty();
        assertThat(Cli.blobFiles(cache)).contains(image.digest().hex(), image.config().digest().hex(),
                image.layers().get(0).digest().hex(), image.layers().get(1).digest().hex());

        long between = REGISTRY.registry().mark();
        Cli.Result warm = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--json");
        assertThat(REGISTRY.registry().requestsSince(between)).as("requests of a cached pull").isEmpty();
        JsonNode second = warm.json();
        assertThat(second.path("source").asText()).isEqualTo("cache");
        assertThat(second.path("requests").isIntegralNumber()).isTrue();
        assertThat(second.path("requests").asLong()).isZero();
        assertThat(second.path("bytesDownloaded").isIntegralNumber()).isTrue();
        assertThat(second.path("bytesDownloaded").asLong()).isZero();
        assertThat(second.path("digest").asText()).isEqualTo(image.digest().toString());
        assertThat(second.path("layersFetched").asInt()).isZero();
        assertThat(second.path("layersCached").asInt()).isEqualTo(2);
        assertThat(second.path("decision").asText()).startsWith("hit");
    }

    @Test
    void humanPullNamesTheDigestOnStdoutAndLogsStepsAndCacheDecisionsOnStderr() {
        TestImages.Pushed image = pushFresh();

        Cli.Result cold = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64");
        assertThat(cold.out()).contains(image.digest().toString()).contains(REGISTRY.registry().hostPort());
        assertThat(cold.out().lines().toList()).as("the result line, then what it cost: %s", cold.out()).hasSize(2)
                .first().isEqualTo(image.ref() + "@" + image.digest());
        assertThat(cold.out()).doesNotContain("cache miss").doesNotContain("downloaded sha256");
        assertThat(cold.err()).contains("pull " + image.ref())
                .contains("cache miss " + image.ref())
                .contains("pull done in ")
                .contains("downloaded " + image.layers().get(0).digest().toString().substring(0, 19))
                .contains("downloaded " + image.layers().get(1).digest().toString().substring(0, 19))
                .doesNotContain("cache hit");
        assertThat(cold.errLines()).allSatisfy(line -> assertThat(line).matches("\\[ *\\d+\\.\\d\\ds] .*"));

        Cli.Result warm = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64");
        assertThat(warm.out()).contains(image.digest().toString()).contains(" from cache");
        assertThat(warm.err()).contains("cache hit " + image.ref())
                .doesNotContain("cache miss")
                .doesNotContain("downloaded ");

        Cli.Result quiet = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--quiet");
        assertThat(quiet.out()).as("--quiet: exactly the result line").isEqualTo(image.ref() + "@" + image.digest() + "\n");
        assertThat(quiet.err()).as("--quiet: no step log").isEmpty();
        assertThat(warm.out()).as("plurals").contains(" 0 requests, ").contains(" 0 layers fetched, 2 cached");
    }

    @Test
    void policyAlwaysOnACachedImageMakesExactlyOneManifestHead() {
        TestImages.Pushed image = pushFresh();
        Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--json");

        long mark = REGISTRY.registry().mark();
        Cli.Result always = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--policy", "always", "--json");
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
        String repository = image.reference().repository();
        assertThat(log).as("requests of --policy always on a cached image")
                .containsExactly(new AccessLogEntry("HEAD", "/v2/" + repository + "/manifests/1", 200));
        JsonNode json = always.json();
        assertThat(json.path("requests").asLong()).isEqualTo(1);
        assertThat(json.path("bytesDownloaded").asLong()).isZero();
        assertThat(json.path("source").asText()).isEqualTo("cache");
        assertThat(json.path("decision").asText()).startsWith("revalidated");
        assertThat(json.path("digest").asText()).isEqualTo(image.digest().toString());
    }

    @Test
    void policyRevalidateAsksOnlyOnceMaxAgeHasPassed() {
        TestImages.Pushed image = pushFresh();
        Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--quiet");

        long fresh = REGISTRY.registry().mark();
        JsonNode withinMaxAge = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64",
                "--policy", "revalidate", "--max-age", "1h", "--json").json();
        assertThat(REGISTRY.registry().requestsSince(fresh)).as("checked less than max-age ago").isEmpty();
        assertThat(withinMaxAge.path("decision").asText()).startsWith("hit");

        long stale = REGISTRY.registry().mark();
        JsonNode pastMaxAge = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64",
                "--policy", "revalidate", "--max-age", "0s", "--json").json();
        assertThat(REGISTRY.registry().requestsSince(stale)).as("max-age 0s: one HEAD")
                .containsExactly(new AccessLogEntry("HEAD", "/v2/" + image.reference().repository() + "/manifests/1", 200));
        assertThat(pastMaxAge.path("decision").asText()).startsWith("revalidated");

        Cli.Result invalid = Cli.run(cache, "pull", image.ref(), "--policy", "revalidate", "--max-age", "soon");
        assertThat(invalid.exitCode()).as("%s", invalid).isEqualTo(2);
        assertThat(invalid.errLines()).hasSize(1);
        assertThat(invalid.errLines().get(0)).contains("invalid duration 'soon'");
    }

    @Test
    void policyAlwaysAfterTheTagMovedWarnsAndFetchesOnlyTheNewContent() {
        String tag = REGISTRY.freshRepository("cli/moving") + ":1";
        TestImages.Pushed old = REGISTRY.images().push(tag, AMD64, 40_000);
        Cli.ok(cache, "pull", old.ref(), "--platform", "linux/amd64", "--quiet");
        TestImages.Pushed moved = REGISTRY.images().push(tag, AMD64, 45_000);

        long mark = REGISTRY.registry().mark();
        Cli.Result result = Cli.ok(cache, "pull", moved.ref(), "--platform", "linux/amd64", "--policy", "always");
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
        assertThat(result.out()).contains(moved.digest().toString()).doesNotContain(old.digest().toString());
        assertThat(result.err()).contains("warning: ").contains("moved").contains("cache moved " + moved.ref());
        assertThat(Cli.blobGets(log, moved.layers().get(0).digest())).hasSize(1);
        assertThat(Cli.blobGets(log, old.layers().get(0).digest())).isEmpty();
    }

    @Test
    void verifyRehashesCachedBlobsWithoutAnyRequest() {
        TestImages.Pushed image = pushFresh();
        Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--quiet");

        long mark = REGISTRY.registry().mark();
        JsonNode json = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--verify", "--json").json();
        assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
        assertThat(json.path("layersCached").asInt()).isEqualTo(2);
        assertThat(json.path("source").asText()).isEqualTo("cache");
    }

    @Test
    void policyNeverOnAnEmptyCacheFailsWithOneLineWithoutNetworkOrWrites() {
        TestImages.Pushed image = pushFresh();

        long mark = REGISTRY.registry().mark();
        Cli.Result never = Cli.run(cache, "pull", image.ref(), "--platform", "linux/amd64", "--policy", "never");
        assertThat(REGISTRY.registry().requestsSince(mark)).as("requests under --policy never").isEmpty();
        assertThat(never.exitCode()).as("%s", never).isEqualTo(1);
        assertThat(never.out()).isEmpty();
        assertThat(never.errorLines()).as("%s", never).hasSize(1);
        assertThat(never.errorLines().get(0)).contains("never").contains(image.ref());
        assertThat(never.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(Cli.allFiles(Cli.blobsDir(cache).getParent())).as("files under store/blobs").isEmpty();

        Cli.Result json = Cli.run(cache, "pull", image.ref(), "--platform", "linux/amd64", "--policy", "never", "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(json.out()).as("no JSON document for a failure").isEmpty();
        assertThat(json.errorLines()).hasSize(1);
        assertThat(json.errorLines().get(0)).contains("never");
    }

    @Test
    void policyNeverOnACachedImageSucceedsOffline() {
        TestImages.Pushed image = pushFresh();
        Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--quiet");

        long mark = REGISTRY.registry().mark();
        JsonNode json = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--policy", "never", "--json").json();
        assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
        assertThat(json.path("source").asText()).isEqualTo("cache");
        assertThat(json.path("digest").asText()).isEqualTo(image.digest().toString());
    }

    @Test
    void pullOfAnIndexSelectsThePlatformAndReportsTheIndexDigest() {
        TestImages.PushedIndex index = REGISTRY.images().pushIndex(REGISTRY.freshRepository("cli/multi") + ":1",
                List.of(AMD64, Platform.parse("linux/arm64")), 50_000);
        String ref = index.reference().toString();
        TestImages.Pushed arm = index.images().get("linux/arm64");
        TestImages.Pushed amd = index.images().get("linux/amd64");

        long mark = REGISTRY.registry().mark();
        JsonNode json = Cli.ok(cache, "pull", ref, "--platform", "linux/arm64", "--json").json();
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
        assertThat(json.path("digest").asText()).isEqualTo(arm.digest().toString());
        assertThat(json.path("indexDigest").asText()).isEqualTo(index.index().digest().toString());
        assertThat(json.path("platform").asText()).isEqualTo("linux/arm64");
        assertThat(Cli.blobGets(log, arm.layers().get(0).digest())).hasSize(1);
        assertThat(Cli.blobGets(log, amd.layers().get(0).digest())).as("the other platform's layer").isEmpty();

        Cli.Result missing = Cli.run(cache, "pull", ref, "--platform", "linux/s390x");
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(1);
        assertThat(missing.errorLines()).hasSize(1);
        assertThat(missing.errorLines().get(0)).contains("linux/s390x").contains("linux/amd64").contains("linux/arm64");
    }
}
