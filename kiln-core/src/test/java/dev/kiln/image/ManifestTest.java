package dev.kiln.image;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kiln.image.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Manifest and Descriptor as written by Kiln: OCI-valid JSON, immutable values. */
class ManifestTest {
    private static final Descriptor CONFIG = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(Samples.CONFIG), 7023);
    private static final Descriptor LAYER = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.parse(Samples.LAYER1), 29538961);

    @Test
    void writtenManifestHasTheRequiredOciFields() {
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, null, CONFIG, List.of(LAYER), null, null);

        JsonNode tree = ImageJson.tree(ImageJson.write(manifest), "manifest");

        assertThat(tree.get("schemaVersion").asInt()).isEqualTo(2);
        assertThat(tree.get("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(tree.get("config").get("digest").asText()).isEqualTo(Samples.CONFIG);
        assertThat(tree.get("config").get("size").asLong()).isEqualTo(7023);
        assertThat(tree.get("layers").get(0).get("digest").asText()).isEqualTo(Samples.LAYER1);
        assertThat(tree.has("annotations")).isFalse();
        assertThat(tree.has("subject")).isFalse();
        assertThat(tree.has("artifactType")).isFalse();
        assertThat(tree.get("config").has("annotations")).isFalse();
        assertThat(tree.get("config").has("urls")).isFalse();
        assertThat(tree.get("config").has("platform")).isFalse();
    }

    @Test
    void layersArrayIsWrittenEvenWhenEmpty() {
        // "layers" is required by the OCI manifest schema (Go's types never omit it); an image of
        // only metadata (FROM scratch + ENV) has none
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, null, CONFIG, List.of(), null, null);

        JsonNode tree = ImageJson.tree(ImageJson.write(manifest), "manifest");

        assertThat(tree.has("layers")).isTrue();
        assertThat(tree.get("layers").isArray()).isTrue();
        assertThat(tree.get("layers")).isEmpty();
    }

    @Test
    void manifestsArrayIsWrittenEvenWhenEmpty() {
        ImageIndex index = new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(), null);

        JsonNode tree = ImageJson.tree(ImageJson.write(index), "index");

        assertThat(tree.get("manifests").isArray()).isTrue();
        assertThat(tree.get("manifests")).isEmpty();
        assertThat(tree.has("annotations")).isFalse();
    }

    @Test
    void descriptorSizeZeroIsWritten() {
        // size is required in every descriptor; 0 is a legal size (the empty blob)
        Descriptor empty = Descriptor.of(MediaTypes.OCI_LAYER_TAR, Digest.sha256(new byte[0]), 0);

        JsonNode tree = ImageJson.tree(ImageJson.write(empty), "descriptor");

        assertThat(tree.has("size")).isTrue();
        assertThat(tree.get("size").asLong()).isZero();
    }

    @Test
    void writtenManifestReadsBackEqual() {
        Descriptor subject = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(Samples.AMD64), 2284);
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, "application/vnd.example.sbom", CONFIG,
                List.of(LAYER), subject, Map.of("org.opencontainers.image.created", "2024-06-18T20:06:43Z"));

        RawManifest raw = RawManifest.of(ImageJson.write(manifest), null);

        assertThat(raw.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(raw.asManifest()).isEqualTo(manifest);
    }

    @Test
    void sampleManifestsSurviveAReadWriteRead() {
        for (String sample : List.of(Samples.OCI_MANIFEST, Samples.DOCKER_MANIFEST)) {
            Manifest first = RawManifest.of(bytes(sample), null).asManifest();

            Manifest second = RawManifest.of(ImageJson.write(first), null).asManifest();

            assertThat(second).isEqualTo(first);
        }
    }

    @Test
    void descriptorReadsPlatformUrlsAndArtifactType() {
        String json = """
                {
                  "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                  "digest": "%s",
                  "size": 1024,
                  "urls": ["https://mcr.microsoft.com/v2/windows/blobs/sha256:x"],
                  "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.5329"},
                  "artifactType": "application/vnd.example+type"
                }""".formatted(Samples.LAYER1);

        Descriptor descriptor = ImageJson.read(bytes(json), Descriptor.class, "descriptor");

        assertThat(descriptor.urls()).containsExactly("https://mcr.microsoft.com/v2/windows/blobs/sha256:x");
        assertThat(descriptor.platform().osVersion()).isEqualTo("10.0.17763.5329");
        assertThat(descriptor.platform().os()).isEqualTo("windows");
        assertThat(descriptor.artifactType()).isEqualTo("application/vnd.example+type");
        assertThat(descriptor.annotations()).isEmpty();
        assertThat(descriptor.size()).isEqualTo(1024);
    }

    @Test
    void recordsAreDefensiveCopies() {
        List<Descriptor> layers = new ArrayList<>(List.of(LAYER));
        Map<String, String> annotations = new HashMap<>(Map.of("a", "b"));
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, null, CONFIG, layers, null, annotations);
        Descriptor descriptor = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.parse(Samples.LAYER1), 1, null,
                annotations, null, null);

        layers.clear();
        annotations.put("c", "d");

        assertThat(manifest.layers()).containsExactly(LAYER);
        assertThat(manifest.annotations()).containsOnlyKeys("a");
        assertThat(descriptor.annotations()).containsOnlyKeys("a");
        assertThatThrownBy(() -> manifest.layers().add(LAYER)).isInstanceOf(UnsupportedOperationException.class);
        manifest.blobs().clear();
        assertThat(manifest.blobs()).containsExactly(CONFIG, LAYER);
    }

    @Test
    void nullCollectionsBecomeEmpty() {
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, null, CONFIG, null, null, null);
        Descriptor descriptor = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(Samples.CONFIG), 1);

        assertThat(manifest.layers()).isEmpty();
        assertThat(manifest.annotations()).isEmpty();
        assertThat(manifest.blobs()).containsExactly(CONFIG);
        assertThat(layersSize(manifest)).isZero();
        assertThat(descriptor.annotations()).isEmpty();
        assertThat(descriptor.urls()).isEmpty();
        assertThat(descriptor.platform()).isNull();
    }

    @Test
    void withPlatformKeepsEverythingElse() {
        Descriptor original = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(Samples.AMD64), 2284, null,
                Map.of("k", "v"), List.of("https://example.com/blob"), "application/vnd.example");

        Descriptor placed = original.withPlatform(Platform.parse("linux/arm64"));

        assertThat(placed.platform()).isEqualTo(Platform.parse("linux/arm64"));
        assertThat(placed).isEqualTo(new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(Samples.AMD64), 2284,
                Platform.parse("linux/arm64"), Map.of("k", "v"), List.of("https://example.com/blob"),
                "application/vnd.example"));
        assertThat(original.platform()).isNull();
    }

    private static long layersSize(Manifest manifest) {
        return manifest.layers().stream().mapToLong(Descriptor::size).sum();
    }
}
