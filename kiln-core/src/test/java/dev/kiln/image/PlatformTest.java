package dev.kiln.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Normalization expectations follow containerd's platforms.Normalize. */
class PlatformTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "linux/amd64,        linux/amd64",
            "linux/x86_64,       linux/amd64",
            "linux/x86-64,       linux/amd64",
            "linux/amd64/v1,     linux/amd64",
            "linux/amd64/v2,     linux/amd64/v2",
            "linux/arm64,        linux/arm64",
            "linux/arm64/v8,     linux/arm64",
            "linux/arm64/8,      linux/arm64",
            "linux/aarch64,      linux/arm64",
            "linux/aarch64/v8,   linux/arm64",
            "linux/arm,          linux/arm/v7",
            "linux/arm/v7,       linux/arm/v7",
            "linux/arm/7,        linux/arm/v7",
            "linux/arm/v6,       linux/arm/v6",
            "linux/arm/6,        linux/arm/v6",
            "linux/arm/5,        linux/arm/v5",
            "linux/armhf,        linux/arm/v7",
            "linux/armel,        linux/arm/v6",
            "linux/i386,         linux/386",
            "linux/386,          linux/386",
            "linux/ppc64le,      linux/ppc64le",
            "linux/s390x,        linux/s390x",
            "linux/riscv64,      linux/riscv64",
            "Linux/AMD64,        linux/amd64",
            "windows/amd64,      windows/amd64",
    })
    void parsesToTheNormalizedForm(String text, String expected) {
        assertThat(Platform.parse(text).toString()).isEqualTo(expected);
    }

    @Test
    void parseGivesTheComponents() {
        Platform armV7 = Platform.parse("linux/arm/v7");

        assertThat(armV7.os()).isEqualTo("linux");
        assertThat(armV7.architecture()).isEqualTo("arm");
        assertThat(armV7.variant()).isEqualTo("v7");
        assertThat(armV7.osVersion()).isNull();
        assertThat(Platform.parse("linux/amd64").variant()).isNull();
        assertThat(Platform.parse("linux/arm64/v8").variant()).isNull();
    }

    @ParameterizedTest(name = "{0} == {1}")
    @CsvSource({
            "linux/arm64,    linux/arm64/v8",
            "linux/arm64,    linux/aarch64",
            "linux/arm64/v8, linux/aarch64",
            "linux/arm,      linux/arm/v7",
            "linux/amd64,    linux/x86_64",
            "linux/amd64,    linux/amd64/v1",
    })
    void equivalentSpellingsAreEqualAndMatch(String a, String b) {
        Platform first = Platform.parse(a);
        Platform second = Platform.parse(b);

        assertThat(first).isEqualTo(second);
        assertThat(first.hashCode()).isEqualTo(second.hashCode());
        assertThat(first.matches(second)).isTrue();
        assertThat(second.matches(first)).isTrue();
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource({
            "linux/arm/v6,   linux/arm/v7",
            "linux/arm,      linux/arm/v6",
            "linux/arm64,    linux/arm/v7",
            "linux/amd64,    linux/arm64",
            "linux/amd64,    windows/amd64",
            "linux/amd64,    linux/amd64/v2",
            "linux/amd64,    linux/386",
    })
    void differentPlatformsDoNotMatch(String a, String b) {
        Platform first = Platform.parse(a);
        Platform second = Platform.parse(b);

        assertThat(first).isNotEqualTo(second);
        assertThat(first.matches(second)).isFalse();
        assertThat(second.matches(first)).isFalse();
    }

    @Test
    void matchesNormalizesRawIndexPlatforms() {
        // index entries are deserialized as written: arm64 with variant v8, arm without a variant
        Platform rawArm64 = Platform.of("linux", "arm64", "v8");
        Platform rawArm = Platform.of("linux", "arm", null);

        assertThat(Platform.parse("linux/arm64").matches(rawArm64)).isTrue();
        assertThat(Platform.parse("linux/arm/v7").matches(rawArm)).isTrue();
        assertThat(Platform.parse("linux/arm/v6").matches(rawArm)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "linux", "linux/", "/amd64", "linux//v7", "linux/amd64/v8/x", "/", "//"})
    void rejectsMalformed(String text) {
        assertThatThrownBy(() -> Platform.parse(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid platform '" + text + "'")
                .hasMessageContaining("os/arch[/variant]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo/bar", "linux/foo", "foo/amd64", "unknown/unknown", "linux/x86"})
    void rejectsUnknown(String text) {
        assertThatThrownBy(() -> Platform.parse(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown platform '" + text + "'");
    }

    @Test
    void hostIsAKnownPlatform() {
        Platform host = Platform.host();

        assertThat(host.os()).isNotBlank();
        assertThat(host.architecture()).isNotBlank();
        // a host platform must survive the user-facing parser, i.e. be one Kiln knows
        assertThat(Platform.parse(host.toString())).isEqualTo(host);
        assertThat(host).isEqualTo(host.normalized());
    }

    @Test
    void normalizedIsIdempotentAndKeepsOsVersionAndFeatures() {
        Platform raw = new Platform("x86_64", "Windows", null, "10.0.17763.5329", List.of("win32k"));

        Platform normalized = raw.normalized();

        assertThat(normalized).isEqualTo(new Platform("amd64", "windows", null, "10.0.17763.5329", List.of("win32k")));
        assertThat(normalized.normalized()).isEqualTo(normalized);
    }

    @Test
    void jsonUsesOciFieldNamesAndRoundTrips() {
        Platform platform = new Platform("amd64", "windows", null, "10.0.17763.5329", List.of("win32k"));

        byte[] json = ImageJson.write(platform);
        JsonNode tree = ImageJson.tree(json, "platform");
        Platform back = ImageJson.read(json, Platform.class, "platform");

        assertThat(tree.get("architecture").asText()).isEqualTo("amd64");
        assertThat(tree.get("os").asText()).isEqualTo("windows");
        assertThat(tree.get("os.version").asText()).isEqualTo("10.0.17763.5329");
        assertThat(tree.get("os.features").get(0).asText()).isEqualTo("win32k");
        assertThat(tree.has("variant")).isFalse();
        assertThat(tree.has("unknown")).as("isUnknown() is not a JSON property").isFalse();
        assertThat(tree.size()).isEqualTo(4);
        assertThat(back).isEqualTo(platform);
    }

    @Test
    void readsIndexStylePlatformJson() {
        byte[] json = "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}".getBytes(StandardCharsets.UTF_8);

        Platform platform = ImageJson.read(json, Platform.class, "platform");

        assertThat(platform).isEqualTo(Platform.of("linux", "arm64", "v8"));
        assertThat(platform.osVersion()).isNull();
        assertThat(platform.normalized().toString()).isEqualTo("linux/arm64");
    }

    @Test
    void omitsEmptyFieldsInJson() {
        String json = new String(ImageJson.write(Platform.of("linux", "arm", "v7")), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}");
    }

    @Test
    void unknownIsTheAttestationMarker() {
        assertThat(Platform.of("unknown", "unknown", null).isUnknown()).isTrue();
        assertThat(Platform.parse("linux/amd64").isUnknown()).isFalse();
    }

    @Test
    void toStringShowsVariantOnlyWhenPresent() {
        assertThat(Platform.of("linux", "amd64", null).toString()).isEqualTo("linux/amd64");
        assertThat(Platform.of("linux", "amd64", "").toString()).isEqualTo("linux/amd64");
        assertThat(Platform.of("linux", "arm", "v6").toString()).isEqualTo("linux/arm/v6");
    }
}
