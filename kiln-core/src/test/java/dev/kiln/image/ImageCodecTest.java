package dev.kiln.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.error.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.kiln.image.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming codec against Jackson databind, which read and wrote these documents before it. */
class ImageCodecTest {
    private static final Digest CONFIG = Digest.parse(Samples.CONFIG);
    private static final Digest LAYER = Digest.parse(Samples.LAYER1);

    private static final List<Manifest> MANIFESTS = List.of(
            new Manifest(2, MediaTypes.OCI_MANIFEST, null, Descriptor.of(MediaTypes.OCI_CONFIG, CONFIG, 1234),
                    List.of(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, LAYER, 0)), null, Map.of("org.example", "x")),
            new Manifest(2, null, "application/vnd.example+json", Descriptor.of(MediaTypes.OCI_CONFIG, CONFIG, 2),
                    List.of(), Descriptor.of(MediaTypes.OCI_MANIFEST, LAYER, 77), null),
            new Manifest(2, MediaTypes.DOCKER_MANIFEST, null, Descriptor.of(MediaTypes.DOCKER_CONFIG, CONFIG, 9),
                    List.of(new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, LAYER, 12, null, Map.of("a", "b"),
                            List.of("https://example.com/layer", "https://mirror.example.com/layer"), "type/x"),
                            Descriptor.of(MediaTypes.OCI_LAYER_GZIP, CONFIG, Long.MAX_VALUE)), null, null));

    private static final List<ImageIndex> INDEXES = List.of(
            new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(
                    Descriptor.of(MediaTypes.OCI_MANIFEST, CONFIG, 500).withPlatform(Platform.of("linux", "amd64", null)),
                    Descriptor.of(MediaTypes.OCI_MANIFEST, LAYER, 501).withPlatform(
                            new Platform("arm64", "linux", "v8", "10.0", List.of("sse4", "gpu")))), Map.of("k", "v")),
            new ImageIndex(2, null, List.of(), null),
            new ImageIndex(2, MediaTypes.DOCKER_MANIFEST_LIST, List.of(
                    Descriptor.of(MediaTypes.DOCKER_MANIFEST, CONFIG, 1).withPlatform(new Platform(null, null, null, null, null))), null));

    @Test
    void writesTheBytesDatabindWrote() throws JsonProcessingException {
        for (Manifest manifest : MANIFESTS) {
            assertThat(text(ImageCodec.write(manifest))).isEqualTo(text(ImageJson.MAPPER.writeValueAsBytes(manifest)));
        }
        for (ImageIndex index : INDEXES) {
            assertThat(text(ImageCodec.write(index))).isEqualTo(text(ImageJson.MAPPER.writeValueAsBytes(index)));
        }
    }

    @Test
    void aBuildsManifestIsTheDocumentKilnWroteAsAMapBefore() throws JsonProcessingException {
        Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, CONFIG, 1234);
        List<Descriptor> layers = List.of(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, LAYER, 99));
        Map<String, Object> asMap = new LinkedHashMap<>();
        asMap.put("schemaVersion", 2);
        asMap.put("mediaType", MediaTypes.OCI_MANIFEST);
        asMap.put("config", config);
        asMap.put("layers", layers);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("org.opencontainers.image.base.digest", CONFIG.toString());
        annotations.put("org.opencontainers.image.base.name", "example.com/flink:1.18");
        asMap.put("annotations", annotations);

        byte[] written = ImageJson.write(new Manifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, annotations));

        assertThat(text(written)).isEqualTo(text(ImageJson.MAPPER.writeValueAsBytes(asMap)));
    }

    @Test
    void writesAnEditedConfigTreeAsDatabindDoes() throws Exception {
        String odd = "{\"architecture\":\"amd64\",\"n\":[1,-2,3000000000,12345678901234567890123,1.5,-0.25,1e300,1.25E-7],"
                + "\"b\":[true,false,null],\"s\":\"tab\\t quote\\\" \\u00e9 \\u2603 \\u0001\",\"e\":{},\"a\":[[],[{}]]}";
        for (String json : List.of(Samples.DOCKER_CONFIG, Samples.OCI_MANIFEST, odd)) {
            com.fasterxml.jackson.databind.JsonNode tree = ImageJson.tree(bytes(json), "config");
            ((com.fasterxml.jackson.databind.node.ObjectNode) tree).put("added", 7L).putArray("list").add("x").add(2.5);

            assertThat(text(ImageJson.write(tree))).isEqualTo(text(ImageJson.MAPPER.writeValueAsBytes(tree)));
        }
    }

    @Test
    void mapKeysAreWrittenSortedWhateverTheMapsOrder() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("z", "1");
        annotations.put("a", "2");
        annotations.put("m", "3");
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, null, Descriptor.of(MediaTypes.OCI_CONFIG, CONFIG, 1),
                List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, LAYER, 5, null, annotations, null, null)), null, annotations);

        assertThat(text(ImageJson.write(manifest))).contains("{\"a\":\"2\",\"m\":\"3\",\"z\":\"1\"}")
                .doesNotContain("\"z\":\"1\",\"a\"");
    }

    @Test
    void readsWhatItWritesAndWhatDatabindReads() throws Exception {
        for (Manifest manifest : MANIFESTS) {
            assertThat(ImageCodec.readManifest(ImageCodec.write(manifest))).isEqualTo(manifest);
        }
        for (ImageIndex index : INDEXES) {
            assertThat(ImageCodec.readIndex(ImageCodec.write(index))).isEqualTo(index);
        }
        for (String json : List.of(Samples.OCI_MANIFEST, Samples.DOCKER_MANIFEST)) {
            assertThat(ImageCodec.readManifest(bytes(json))).isEqualTo(ImageJson.MAPPER.readValue(bytes(json), Manifest.class));
        }
        for (String json : List.of(Samples.OCI_INDEX_WITH_ATTESTATIONS, Samples.DOCKER_MANIFEST_LIST)) {
            assertThat(ImageCodec.readIndex(bytes(json))).isEqualTo(ImageJson.MAPPER.readValue(bytes(json), ImageIndex.class));
        }
    }

    @Test
    void readsConfigsAsDatabindReadsThem() throws Exception {
        String rich = "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"os.version\":\"1\",\"created\":\"2024-01-01T00:00:00Z\","
                + "\"author\":\"x\",\"config\":{\"User\":\"flink\",\"Env\":[\"A=b\",\"C=d\"],\"Entrypoint\":[\"/e.sh\"],\"Cmd\":null,"
                + "\"WorkingDir\":\"/opt/flink\",\"Labels\":{\"a\":\"1\",\"b\":null},\"ExposedPorts\":{\"8081/tcp\":{},\"6123/tcp\":{\"x\":[1,2.5,true,null,\"s\"]}},"
                + "\"Volumes\":{\"/data\":{}},\"StopSignal\":\"SIGTERM\",\"Healthcheck\":{\"Test\":[\"NONE\"]}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Samples.LAYER1 + "\",\"" + Samples.LAYER2 + "\"]},"
                + "\"history\":[{\"created\":\"2024\",\"created_by\":\"RUN x\",\"empty_layer\":true},{\"comment\":\"c\",\"author\":\"a\"}],"
                + "\"future\":{\"config\":1}}";
        for (String json : List.of(Samples.DOCKER_CONFIG, rich, "{}", "{\"config\":null,\"rootfs\":null,\"history\":null}")) {
            assertThat(ImageCodec.readConfig(bytes(json))).as(json).isEqualTo(ImageJson.MAPPER.readValue(bytes(json), ImageConfig.class));
        }
        assertThat(ImageCodec.readConfig(bytes(rich)).diffIds()).containsExactly(Digest.parse(Samples.LAYER1), Digest.parse(Samples.LAYER2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{\"rootfs\":{\"diff_ids\":[\"sha256:ABC\"]}}", "{\"config\":{\"Env\":\"A=b\"}}",
            "{\"history\":[{\"empty_layer\":\"yes\"}]}", "{\"config\":{\"ExposedPorts\":[]}}", "{} {}"})
    void malformedConfigsAreRegistryErrors(String json) {
        assertThatThrownBy(() -> ImageJson.read(bytes(json), ImageConfig.class, "image config abc"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed image config abc: ");
    }

    @Test
    void nullsAndUnknownFieldsReadAsDatabindReadsThem() throws Exception {
        String json = "{\"schemaVersion\":null,\"mediaType\":null,\"config\":{\"digest\":\"" + Samples.CONFIG + "\",\"size\":null,"
                + "\"future\":[{\"x\":1}],\"platform\":null},\"layers\":null,\"annotations\":null,\"extra\":{\"layers\":1}}";

        Manifest manifest = ImageCodec.readManifest(bytes(json));

        assertThat(manifest).isEqualTo(ImageJson.MAPPER.readValue(bytes(json), Manifest.class));
        assertThat(manifest.layers()).isEmpty();
        assertThat(manifest.config().digest()).isEqualTo(CONFIG);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[]",
            "{\"schemaVersion\":2} {}",
            "{\"schemaVersion\":\"two\"}",
            "{\"schemaVersion\":2,\"layers\":{}}",
            "{\"schemaVersion\":2,\"layers\":[null]}",
            "{\"schemaVersion\":2,\"layers\":[{\"size\":\"12\"}]}",
            "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:ABC\"}}",
            "{\"schemaVersion\":2,\"config\":{\"digest\":5}}",
            "{\"schemaVersion\":2,\"annotations\":{\"a\":1}}",
            "{\"schemaVersion\":2,\"layers\":[{\"urls\":[null]}]}",
            "{\"schemaVersion\":2,\"layers\":[",
            ""})
    void malformedManifestsAreRegistryErrorsOnOneLine(String json) {
        assertThatThrownBy(() -> ImageJson.read(bytes(json), Manifest.class, "image manifest abc"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed image manifest abc: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void malformedIndexesAreRegistryErrors() {
        assertThatThrownBy(() -> ImageJson.read(bytes("{\"manifests\":[{\"platform\":[]}]}"), ImageIndex.class, "image index x"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed image index x: ")
                .hasMessageContaining("platform");
    }

    @Test
    void theShapeNamesTheMediaTypeAndWhichListsThereAre() throws Exception {
        ImageCodec.Shape index = ImageCodec.shape(bytes(Samples.OCI_INDEX_WITH_ATTESTATIONS));
        ImageCodec.Shape manifest = ImageCodec.shape(bytes("{\"schemaVersion\":\"1\",\"config\":null,\"layers\":[],"
                + "\"x\":{\"mediaType\":\"nested\",\"manifests\":[]}}"));

        assertThat(index).isEqualTo(new ImageCodec.Shape(MediaTypes.OCI_INDEX, 2, true, false, false));
        assertThat(manifest).isEqualTo(new ImageCodec.Shape("", 1, false, true, true));
    }

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }
}
