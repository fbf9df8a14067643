package dev.kiln.cli;

import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Units;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln inspect}: what it shows, and that it fetches manifest and config but never layers. */
class InspectCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(11);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path cache;



    private static TestImages.Pushed pushFresh() {
        return REGISTRY.images().push(REGISTRY.freshRepository("cli/inspect") + ":1", AMD64, 150_000, 250_000, 1_500);
    }

    @Test
    void jsonInspectShowsIdentityLayersAndConfigWithoutDownloadingLayers() {
        TestImages.Pushed image = pushFresh();

        long mark = REGISTRY.registry().mark();
        Cli.Result result = Cli.ok(cache, "inspect", image.ref(), "--platform", "linux/amd64", "--json");
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);

        JsonNode json = result.json();
        assertThat(json.path("reference").asText()).isEqualTo(image.ref());
        assertThat(json.path("digest").asText()).isEqualTo(image.digest().toString());
        assertThat(json.path("indexDigest").isNull()).as("no index: %s", json).isTrue();
        assertThat(json.path("platform").asText()).isEqualTo("linux/amd64");
        assertThat(json.path("layers")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            Descriptor layer = image.layers().get(i);
            assertThat(json.path("layers").get(i).path("digest").asText()).isEqualTo(layer.digest().toString());
            assertThat(json.path("layers").get(i).path("size").asLong()).isEqualTo(layer.size());
            assertThat(json.path("layers").get(i).path("mediaType").asText()).isEqualTo(layer.mediaType());
        }
        assertThat(json.path("size").asLong()).isEqualTo(image.totalLayerBytes());
        assertThat(texts(json.path("env"))).containsExactly("PATH=/usr/bin:/bin", "FLINK_HOME=/opt/flink");
        assertThat(texts(json.path("entrypoint"))).containsExactly("/docker-entrypoint.sh");
        assertThat(texts(json.path("cmd"))).containsExactly("help");
        assertThat(json.path("workingDir").asText()).isEqualTo("/opt/flink");
        assertThat(texts(json.path("exposedPorts"))).containsExactly("8081/tcp");
        assertThat(json.path("created").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(json.path("source").asText()).isEqualTo(REGISTRY.registry().hostPort());
        assertThat(json.path("requests").asLong()).isEqualTo(log.size());
        assertThat(result.err()).as("--json prints no step log").isEmpty();

        String repository = image.reference().repository();
        assertThat(log).as("inspect's requests").contains(new AccessLogEntry("GET", "/v2/" + repository + "/manifests/1", 200));
        assertThat(Cli.blobGets(log, image.config().digest())).as("config GET").hasSize(1);
        for (Descriptor layer : image.layers()) {
            assertThat(Cli.blobGets(log, layer.digest())).as("GETs of layer %s", layer.digest()).isEmpty();
            assertThat(Cli.blobFiles(cache)).doesNotContain(layer.digest().hex());
        }
        assertThat(log).as("no blob GET other than the config's")
                .filteredOn(e -> e.method().equals("GET") && e.path().contains("/blobs/"))
                .hasSize(1);
        assertThat(Cli.blobFiles(cache)).containsExactlyInAnyOrder(image.digest().hex(), image.config().digest().hex());

        long again = REGISTRY.registry().mark();
        JsonNode cached = Cli.ok(cache, "inspect", image.ref(), "--platform", "linux/amd64", "--json").json();
        assertThat(REGISTRY.registry().requestsSince(again)).as("inspect of a cached manifest").isEmpty();
        assertThat(cached.path("source").asText()).isEqualTo("cache");
        assertThat(cached.path("requests").asLong()).isZero();
        assertThat(cached.path("digest").asText()).isEqualTo(image.digest().toString());
    }

    @Test
    void humanInspectPrintsDigestPlatformLayersEnvEntrypointAndCreated() {
        TestImages.Pushed image = pushFresh();

        long mark = REGISTRY.registry().mark();
        Cli.Result result = Cli.ok(cache, "inspect", image.ref(), "--platform", "linux/amd64");
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);

        String out = result.out();
        assertThat(out).contains("Reference:   " + image.ref())
                .contains("Digest:      " + image.digest())
                .contains("Platform:    linux/amd64")
                .contains("Created:     2026-01-01T00:00:00Z")
                .contains("Size:        " + Units.formatSize(image.totalLayerBytes()) + " in 3 layers")
                .contains("  PATH=/usr/bin:/bin")
                .contains("  FLINK_HOME=/opt/flink")
                .contains("Entrypoint:  [/docker-entrypoint.sh]")
                .contains("Cmd:         [help]")
                .contains("WorkingDir:  /opt/flink")
                .contains("Ports:       8081/tcp")
                .contains("Source:      " + REGISTRY.registry().hostPort())
                .doesNotContain("Index:");
        for (Descriptor layer : image.layers()) {
            assertThat(out).containsPattern("(?m)^  " + layer.digest() + " +" + java.util.regex.Pattern.quote(Units.formatSize(layer.size()))
                    + "  " + java.util.regex.Pattern.quote(layer.mediaType()) + "$");
            assertThat(Cli.blobGets(log, layer.digest())).isEmpty();
        }
        assertThat(result.err()).contains("inspect " + image.ref()).contains("cache miss " + image.ref());

        Cli.Result quiet = Cli.ok(cache, "inspect", image.ref(), "--platform", "linux/amd64", "-q");
        assertThat(quiet.out()).as("-q: exactly the result line").isEqualTo(image.ref() + "@" + image.digest() + "\n");
        assertThat(quiet.err()).isEmpty();
    }

    @Test
    void inspectOfAnIndexShowsTheIndexDigestAndTheChosenPlatform() {
        TestImages.PushedIndex index = REGISTRY.images().pushIndex(REGISTRY.freshRepository("cli/inspect-multi") + ":1",
                List.of(AMD64, Platform.parse("linux/arm64")), 2_000);
        TestImages.Pushed arm = index.images().get("linux/arm64");

        Cli.Result human = Cli.ok(cache, "inspect", index.reference().toString(), "--platform", "linux/arm64");
        assertThat(human.out()).contains("Digest:      " + arm.digest())
                .contains("Index:       " + index.index().digest())
                .contains("Platform:    linux/arm64");
        JsonNode json = Cli.ok(cache, "inspect", index.reference().toString(), "--platform", "linux/arm64", "--json").json();
        assertThat(json.path("indexDigest").asText()).isEqualTo(index.index().digest().toString());
        assertThat(json.path("digest").asText()).isEqualTo(arm.digest().toString());
    }

    private static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).as("array: %s", array).isTrue();
        List<String> values = new java.util.ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }
}
