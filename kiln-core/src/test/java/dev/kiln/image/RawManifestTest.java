package dev.kiln.image;

import dev.kiln.error.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;

import static dev.kiln.image.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class RawManifestTest {
    /** The documents without their mediaType field, as OCI allows. */
    private static String withoutMediaType(String json) {
        String stripped = json.replaceFirst("\"mediaType\":\\s*\"[^\"]+\",", "");
        assertThat(stripped).isNotEqualTo(json);
        assertThat(ImageJson.tree(bytes(stripped), "sample").has("mediaType")).isFalse();
        return stripped;
    }

    static Stream<Arguments> byMediaTypeField() {
        return Stream.of(
                arguments(Samples.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, false),
                arguments(Samples.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST, false),
                arguments(Samples.OCI_INDEX_WITH_ATTESTATIONS, MediaTypes.OCI_INDEX, true),
                arguments(Samples.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST_LIST, true));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("byMediaTypeField")
    void classifiesByTheMediaTypeField(String json, String expected, boolean index) {
        // the document's own field wins over a (wrong or generic) content type
        RawManifest raw = RawManifest.of(bytes(json), "application/json");

        assertThat(raw.mediaType()).isEqualTo(expected);
        assertThat(raw.isIndex()).isEqualTo(index);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("byMediaTypeField")
    void classifiesByContentTypeWhenTheFieldIsAbsent(String json, String contentType, boolean index) {
        RawManifest raw = RawManifest.of(bytes(withoutMediaType(json)), contentType + "; charset=utf-8");

        assertThat(raw.mediaType()).isEqualTo(contentType);
        assertThat(raw.isIndex()).isEqualTo(index);
    }

    @Test
    void contentTypeDistinguishesDockerFromOciWhenTheFieldIsAbsent() {
        byte[] manifest = bytes(withoutMediaType(Samples.OCI_MANIFEST));

        assertThat(RawManifest.of(manifest, MediaTypes.DOCKER_MANIFEST).mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(RawManifest.of(manifest, MediaTypes.OCI_MANIFEST).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "application/json", "application/octet-stream", "text/plain; charset=utf-8"})
    void classifiesByShapeWhenFieldAndContentTypeSayNothing(String contentType) {
        RawManifest manifest = RawManifest.of(bytes(withoutMediaType(Samples.OCI_MANIFEST)), contentType);
        RawManifest index = RawManifest.of(bytes(withoutMediaType(Samples.OCI_INDEX_WITH_ATTESTATIONS)), contentType);

        assertThat(manifest.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(manifest.isIndex()).isFalse();
        assertThat(index.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(index.isIndex()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {MediaTypes.DOCKER_SCHEMA1_SIGNED, MediaTypes.DOCKER_SCHEMA1, "application/json"})
    void rejectsSchema1(String contentType) {
        assertThatThrownBy(() -> RawManifest.of(bytes(Samples.SCHEMA1), contentType))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("schema 1")
                .hasMessageContaining("not supported");
    }

    @Test
    void rejectsSchema1ByContentTypeEvenWithoutSchemaVersion() {
        byte[] json = bytes("{\"name\":\"library/flink\",\"fsLayers\":[]}");

        assertThatThrownBy(() -> RawManifest.of(json, MediaTypes.DOCKER_SCHEMA1_SIGNED))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("schema 1");
    }

    @Test
    void rejectsUnclassifiableDocuments() {
        byte[] json = bytes("{\"schemaVersion\":2,\"hello\":\"world\"}");

        assertThatThrownBy(() -> RawManifest.of(json, "application/json"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("unsupported manifest media type 'application/json'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"schemaVersion\": 2,", "not json", "{\"a\":1}}", "{'a':1}"})
    void rejectsMalformedJson(String json) {
        assertThatThrownBy(() -> RawManifest.of(bytes(json), MediaTypes.OCI_MANIFEST))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed manifest");
    }

    @Test
    void rejectsTrailingGarbageAfterTheDocument() {
        // Go's json.Unmarshal (registry, containerd) refuses a second value after the object
        byte[] json = bytes(Samples.OCI_MANIFEST + " {}");

        assertThatThrownBy(() -> RawManifest.of(json, MediaTypes.OCI_MANIFEST))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed manifest");
    }

    @Test
    void acceptsTrailingWhitespace() {
        RawManifest raw = RawManifest.of(bytes(Samples.OCI_MANIFEST + "\n\n  "), null);

        assertThat(raw.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"schemaVersion\":2}]", "\"manifest\"", "42", "null", "true", "", "   "})
    void rejectsNonObjects(String json) {
        assertThatThrownBy(() -> RawManifest.of(bytes(json), MediaTypes.OCI_MANIFEST))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("malformed manifest");
    }

    @Test
    void rejectsDocumentsOverTheSizeLimit() {
        byte[] huge = new byte[ImageJson.MAX_MANIFEST_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        byte[] head = bytes(Samples.OCI_MANIFEST);
        System.arraycopy(head, 0, huge, 0, head.length);

        assertThatThrownBy(() -> RawManifest.of(huge, MediaTypes.OCI_MANIFEST))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(String.valueOf(ImageJson.MAX_MANIFEST_BYTES + 1))
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void acceptsADocumentOfExactlyTheLimit() {
        byte[] atLimit = new byte[ImageJson.MAX_MANIFEST_BYTES];
        Arrays.fill(atLimit, (byte) ' ');
        byte[] head = bytes(Samples.OCI_MANIFEST);
        System.arraycopy(head, 0, atLimit, 0, head.length);

        RawManifest raw = RawManifest.of(atLimit, MediaTypes.OCI_MANIFEST);

        assertThat(raw.bytes()).hasSize(ImageJson.MAX_MANIFEST_BYTES);
        assertThat(raw.asManifest().layers()).hasSize(2);
    }

    @Test
    void digestIsTheSha256OfTheExactBytes() {
        byte[] compact = bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}");
        byte[] spaced = bytes("{ \"schemaVersion\": 2, \"mediaType\": \"" + MediaTypes.OCI_INDEX + "\", \"manifests\": [] }");

        RawManifest a = RawManifest.of(compact, null);
        RawManifest b = RawManifest.of(spaced, null);

        assertThat(a.digest()).isEqualTo(Digest.sha256(compact));
        assertThat(b.digest()).isEqualTo(Digest.sha256(spaced));
        // same JSON value, different bytes: different digests, never re-serialized
        assertThat(a.digest()).isNotEqualTo(b.digest());
        assertThat(b.bytes()).isEqualTo(spaced);
        assertThat(a.descriptor()).isEqualTo(Descriptor.of(MediaTypes.OCI_INDEX, Digest.sha256(compact), compact.length));
    }

    @Test
    void knownDigestOfAKnownDocument() {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        // {} is neither manifest nor index; its digest is checked through Digest directly
        assertThat(Digest.sha256(json).hex())
                .isEqualTo("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    }

    @Test
    void asIndexParsesADockerManifestList() {
        RawManifest raw = RawManifest.of(bytes(Samples.DOCKER_MANIFEST_LIST),
                MediaTypes.DOCKER_MANIFEST_LIST);

        ImageIndex index = raw.asIndex();

        assertThat(index.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(index.manifests()).hasSize(3)
                .allMatch(d -> d.mediaType().equals(MediaTypes.DOCKER_MANIFEST))
                .allMatch(d -> d.size() == 2412);
        assertThat(index.select(Platform.parse("linux/amd64"))).map(Descriptor::digest).contains(Digest.parse(Samples.AMD64));
        assertThatThrownBy(raw::asManifest).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void asManifestParsesAnOciManifestWithAnnotations() {
        RawManifest raw = RawManifest.of(bytes(Samples.OCI_MANIFEST), MediaTypes.OCI_MANIFEST);

        Manifest manifest = raw.asManifest();

        assertThat(manifest.schemaVersion()).isEqualTo(2);
        assertThat(manifest.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(manifest.config()).isEqualTo(Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(Samples.CONFIG), 7023));
        assertThat(manifest.layers()).extracting(Descriptor::digest)
                .containsExactly(Digest.parse(Samples.LAYER1), Digest.parse(Samples.LAYER2));
        assertThat(manifest.layers().get(1).annotations())
                .containsExactly(java.util.Map.entry("org.opencontainers.image.title", "layer.tar.gz"));
        assertThat(manifest.annotations())
                .hasSize(7)
                .containsEntry("org.opencontainers.image.base.name", "eclipse-temurin:17-jre-jammy")
                .containsEntry("org.opencontainers.image.base.digest", Samples.LAYER3);
        assertThat(manifest.subject()).isNull();
        assertThat(layersSize(manifest)).isEqualTo(29538961L + 16930468L);
        assertThatThrownBy(raw::asIndex).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void blobsAreConfigThenLayersInOrder() {
        Manifest manifest = RawManifest.of(bytes(Samples.DOCKER_MANIFEST), null).asManifest();

        assertThat(manifest.blobs()).extracting(Descriptor::digest).containsExactly(
                Digest.parse(Samples.CONFIG), Digest.parse(Samples.LAYER1),
                Digest.parse(Samples.LAYER2), Digest.parse(Samples.LAYER3));
        assertThat(manifest.blobs()).extracting(Descriptor::mediaType).containsExactly(
                MediaTypes.DOCKER_CONFIG, MediaTypes.DOCKER_LAYER_GZIP,
                MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.DOCKER_LAYER_GZIP);
        assertThat(layersSize(manifest)).isEqualTo(29538961L + 16930468L + 47326143L);
    }

    @Test
    void asManifestRejectsAManifestWithoutConfig() {
        RawManifest raw = RawManifest.of(bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"layers\":[]}"), null);

        assertThatThrownBy(raw::asManifest)
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("no config descriptor")
                .hasMessageContaining(raw.digest().shortHex());
    }

    @Test
    void asManifestReportsABadDigestInsideTheDocument() {
        String json = Samples.OCI_MANIFEST.replace(Samples.LAYER1, "sha256:ABC");
        RawManifest raw = RawManifest.of(bytes(json), null);

        assertThatThrownBy(raw::asManifest)
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed image manifest " + raw.digest().shortHex());
    }

    @Test
    void asIndexReportsAMistypedField() {
        RawManifest raw = RawManifest.of(bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"manifests\":{\"not\":\"a list\"}}"), null);

        assertThatThrownBy(raw::asIndex)
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed image index");
    }

    @Test
    void aDocumentIsParsedOnceAndOneKilnWroteNever() {
        RawManifest raw = RawManifest.of(bytes(Samples.OCI_MANIFEST), null);
        Manifest written = new Manifest(2, MediaTypes.OCI_MANIFEST, null, Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(Samples.CONFIG), 3),
                java.util.List.of(), null, null);
        RawManifest ours = RawManifest.written(written);

        assertThat(raw.asManifest()).isSameAs(raw.asManifest());
        assertThat(ours.asManifest()).isSameAs(written);
        assertThat(ours.bytes()).isEqualTo(ImageJson.write(written));
        assertThat(ours.digest()).isEqualTo(Digest.sha256(ours.bytes()));
        assertThat(RawManifest.of(ours.bytes(), null)).isEqualTo(ours).hasSameHashCodeAs(ours).isNotEqualTo(raw);
        assertThat(RawManifest.of(ours.bytes(), null).asManifest()).isEqualTo(written);
    }

    private static long layersSize(Manifest manifest) {
        return manifest.layers().stream().mapToLong(Descriptor::size).sum();
    }
}
