package dev.kiln.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.error.RegistryException;
import org.junit.jupiter.api.Test;

import static dev.kiln.image.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageJsonTest {

    @Test
    void ignoresUnknownFields() {
        String json = Samples.OCI_MANIFEST.replaceFirst("\\{", "{\"futureField\": {\"x\": [1, 2]},");

        Manifest manifest = ImageJson.read(bytes(json), Manifest.class, "manifest");

        assertThat(manifest.layers()).hasSize(2);
    }

    @Test
    void readNamesWhatWasMalformedOnOneLine() {
        assertThatThrownBy(() -> ImageJson.read(bytes("{\"schemaVersion\": \"two\"}"), Manifest.class, "image manifest abc"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed image manifest abc: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void treeRejectsNonObjectsAndTrailingValues() {
        assertThatThrownBy(() -> ImageJson.tree(bytes("[1]"), "thing"))
                .isInstanceOf(RegistryException.class)
                .hasMessage("malformed thing: not a JSON object");
        assertThatThrownBy(() -> ImageJson.tree(bytes("{} {}"), "thing"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed thing");
        assertThatThrownBy(() -> ImageJson.read(bytes("{} []"), ImageIndex.class, "index"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed index");
    }

    @Test
    void treeKeepsFieldsInOrder() {
        JsonNode tree = ImageJson.tree(bytes("{\"b\":1,\"a\":2}"), "thing");

        assertThat(tree.fieldNames()).toIterable().containsExactly("b", "a");
    }

    @Test
    void writeIsCompact() {
        byte[] json = ImageJson.write(Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(Samples.CONFIG), 7));

        assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(
                "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Samples.CONFIG + "\",\"size\":7}");
    }
}
