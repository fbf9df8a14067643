package dev.kiln.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.error.RegistryException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kiln.image.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageConfigTest {
    private static ImageConfig sample() {
        return ImageJson.read(bytes(Samples.DOCKER_CONFIG), ImageConfig.class, "image config");
    }

    @Test
    void parsesTheTopLevelFields() {
        ImageConfig config = sample();

        assertThat(config.architecture()).isEqualTo("arm64");
        assertThat(config.variant()).isEqualTo("v8");
        assertThat(config.os()).isEqualTo("linux");
        assertThat(config.osVersion()).isNull();
        assertThat(config.created()).isEqualTo("2024-06-18T20:06:43.123456789Z");
        assertThat(config.author()).isEqualTo("Apache Flink");
    }

    @Test
    void parsesTheRuntimeConfig() {
        ImageConfig.RuntimeConfig runtime = sample().config();

        assertThat(runtime.user()).isEqualTo("flink");
        assertThat(runtime.env()).containsExactly(
                "PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "JAVA_HOME=/opt/java/openjdk",
                "FLINK_HOME=/opt/flink");
        assertThat(runtime.entrypoint()).containsExactly("/docker-entrypoint.sh");
        assertThat(runtime.cmd()).containsExactly("help");
        assertThat(runtime.workingDir()).isEqualTo("/opt/flink");
        assertThat(runtime.labels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "org.opencontainers.image.ref.name", "ubuntu",
                "org.opencontainers.image.version", "22.04"));
        assertThat(runtime.exposedPorts()).containsOnlyKeys("6123/tcp", "8081/tcp");
        assertThat(runtime.volumes()).isNull();
        assertThat(runtime.stopSignal()).isEqualTo("SIGTERM");
    }

    @Test
    void parsesRootfsDiffIdsAsDigests() {
        ImageConfig.RootFs rootfs = sample().rootfs();

        assertThat(rootfs.type()).isEqualTo("layers");
        assertThat(rootfs.diffIds()).containsExactly(
                Digest.parse(Samples.LAYER1), Digest.parse(Samples.LAYER2), Digest.parse(Samples.LAYER3));
    }

    @Test
    void parsesHistoryWithEmptyLayers() {
        List<ImageConfig.History> history = sample().history();

        assertThat(history).hasSize(5);
        assertThat(history).extracting(ImageConfig.History::emptyLayer)
                .containsExactly(null, true, null, true, null);
        assertThat(history.get(1).createdBy()).isEqualTo("/bin/sh -c #(nop)  CMD [\"/bin/bash\"]");
        assertThat(history.get(2).comment()).isEqualTo("buildkit.dockerfile.v0");
        assertThat(history.get(0).created()).isEqualTo("2024-06-01T10:00:00Z");
        // every non-empty history entry owns one diff_id, in order
        long layerEntries = history.stream().filter(h -> !Boolean.TRUE.equals(h.emptyLayer())).count();
        assertThat(layerEntries).isEqualTo(sample().rootfs().diffIds().size());
    }

    @Test
    void platformIsNormalized() {
        assertThat(sample().platform()).isEqualTo(Platform.parse("linux/arm64"));
        assertThat(sample().platform().variant()).isNull();

        ImageConfig armhf = new ImageConfig("arm", "linux", null, null, null, null, null, null, null);
        assertThat(armhf.platform().toString()).isEqualTo("linux/arm/v7");

        ImageConfig windows = new ImageConfig("amd64", "windows", null, "10.0.20348.2340", null, null, null, null, null);
        assertThat(windows.platform().osVersion()).isEqualTo("10.0.20348.2340");
        assertThat(windows.platform().toString()).isEqualTo("windows/amd64");
    }

    @Test
    void minimalOciConfigParses() {
        String json = """
                {"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""";

        ImageConfig config = ImageJson.read(bytes(json), ImageConfig.class, "image config");

        assertThat(config.platform()).isEqualTo(Platform.parse("linux/amd64"));
        assertThat(config.config()).isNull();
        assertThat(config.history()).isEmpty();
        assertThat(config.rootfs().diffIds()).isEmpty();
    }

    @Test
    void serializationUsesDockerFieldNamesAndOmitsEmptyOnes() {
        ImageConfig config = sample();

        JsonNode tree = ImageJson.tree(ImageJson.write(config), "image config");

        assertThat(tree.get("config").get("Env").size()).isEqualTo(3);
        assertThat(tree.get("config").get("WorkingDir").asText()).isEqualTo("/opt/flink");
        assertThat(tree.get("config").get("ExposedPorts").get("8081/tcp").isObject()).isTrue();
        assertThat(tree.get("config").has("Volumes")).isFalse();
        assertThat(tree.get("rootfs").get("diff_ids").get(0).asText()).isEqualTo(Samples.LAYER1);
        assertThat(tree.get("history").get(1).get("empty_layer").asBoolean()).isTrue();
        assertThat(tree.get("history").get(0).has("empty_layer")).isFalse();
        assertThat(tree.get("history").get(0).get("created_by").asText()).startsWith("/bin/sh -c #(nop) ADD");
        assertThat(tree.has("platform")).as("platform() is derived, not a field").isFalse();
        assertThat(tree.has("os.version")).isFalse();
        assertThat(ImageJson.read(ImageJson.write(config), ImageConfig.class, "image config")).isEqualTo(config);
    }

    @Test
    void badDiffIdIsAMalformedConfig() {
        String json = Samples.DOCKER_CONFIG.replace(Samples.LAYER2, "sha256:nothex");

        assertThatThrownBy(() -> ImageJson.read(bytes(json), ImageConfig.class, "image config"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed image config");
    }
}
