package dev.kiln.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DigestTest {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void parsesAlgorithmAndHex() {
        Digest digest = Digest.parse("sha256:" + EMPTY_SHA256);

        assertThat(digest.algorithm()).isEqualTo("sha256");
        assertThat(digest.hex()).isEqualTo(EMPTY_SHA256);
        assertThat(digest.toString()).isEqualTo("sha256:" + EMPTY_SHA256);
        assertThat(digest.shortHex()).isEqualTo("e3b0c44298fc");
    }

    @Test
    void equalDigestsAreEqualAndHashAlikeAndOthersAreNot() {
        Digest digest = Digest.parse("sha256:" + EMPTY_SHA256);
        Digest same = new Digest("sha256", EMPTY_SHA256);
        Digest other = Digest.sha256(new byte[1]);

        assertThat(digest).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(other).isNotEqualTo(digest.toString());
        assertThat(java.util.Set.of(digest, other)).contains(same).hasSize(2);
    }

    @Test
    void parsesSha512() {
        String hex = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

        Digest digest = Digest.parse("sha512:" + hex);

        assertThat(digest.algorithm()).isEqualTo("sha512");
        assertThat(digest.toString()).isEqualTo("sha512:" + hex);
    }

    @ParameterizedTest
    @CsvSource({
            "'', " + EMPTY_SHA256,
            "abc, " + ABC_SHA256,
    })
    void sha256OfKnownBytes(String content, String expectedHex) {
        Digest digest = Digest.sha256(content.getBytes(StandardCharsets.UTF_8));

        assertThat(digest).isEqualTo(new Digest("sha256", expectedHex));
        assertThat(digest.toString()).isEqualTo("sha256:" + expectedHex);
    }

    @Test
    void streamingEngineAgreesWithOneShotHash() {
        byte[] content = "hello, kiln".getBytes(StandardCharsets.UTF_8);
        MessageDigest engine = Digest.newSha256();
        engine.update(content, 0, 5);
        engine.update(content, 5, content.length - 5);

        assertThat(Digest.fromSha256(engine.digest())).isEqualTo(Digest.sha256(content));
    }

    @Test
    void newSha256IsAFreshEngineEachTime() {
        MessageDigest first = Digest.newSha256();
        first.update((byte) 1);

        assertThat(Digest.fromSha256(Digest.newSha256().digest()).hex()).isEqualTo(EMPTY_SHA256);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", // uppercase
            "sha256:E3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // one uppercase
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",  // 63
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", // 65
            "sha256:abc",
            "sha256:",
            "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // non-hex
            "sha256:/3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // just below '0'
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85:", // just above '9'
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85`", // just below 'a'
            "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // sha512 needs 128
    })
    void rejectsMalformedHex(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("lowercase hex characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
            "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    })
    void rejectsUnknownAlgorithms(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unsupported digest algorithm");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ":abc"})
    void rejectsTextWithoutAlgorithm(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("expected algorithm:hex");
    }

    @Test
    void serializesAsAPlainJsonString() {
        Digest digest = Digest.parse("sha256:" + ABC_SHA256);

        String json = new String(ImageJson.write(digest), StandardCharsets.UTF_8);
        JsonNode inList = ImageJson.MAPPER.valueToTree(List.of(digest));

        assertThat(json).isEqualTo("\"sha256:" + ABC_SHA256 + "\"");
        assertThat(inList.get(0).isTextual()).isTrue();
        assertThat(inList.get(0).asText()).isEqualTo("sha256:" + ABC_SHA256);
    }

    @Test
    void deserializesFromAPlainJsonString() {
        byte[] json = ("\"sha256:" + ABC_SHA256 + "\"").getBytes(StandardCharsets.UTF_8);

        assertThat(ImageJson.read(json, Digest.class, "digest")).isEqualTo(new Digest("sha256", ABC_SHA256));
    }

    @Test
    void malformedDigestInsideJsonIsARegistryError() {
        byte[] json = "\"sha256:ABC\"".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ImageJson.read(json, Digest.class, "digest"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("malformed digest");
    }

    @Test
    void equalityIsByValue() {
        assertThat(Digest.parse("sha256:" + ABC_SHA256)).isEqualTo(Digest.sha256("abc".getBytes(StandardCharsets.UTF_8)));
        assertThat(Digest.parse("sha256:" + ABC_SHA256)).isNotEqualTo(Digest.parse("sha256:" + EMPTY_SHA256));
    }
}
