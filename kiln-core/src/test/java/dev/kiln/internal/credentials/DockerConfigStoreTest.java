package dev.kiln.internal.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.error.CredentialException;
import dev.kiln.testing.FileCredentialHelper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@link DockerConfigCredentials#store} and {@link DockerConfigCredentials#erase}: what {@code docker login}/{@code logout} write. */
@DisabledOnOs(OS.WINDOWS)
class DockerConfigStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    private DockerConfigCredentials config(Path file) {
        return DockerConfigCredentials.fromFile(file, List.of(dir.resolve("bin")));
    }

    @Test
    void aMissingFileAndDirectoryAreCreatedReadableByTheOwnerOnly() throws IOException {
        Path file = dir.resolve("new/.docker/config.json");

        String where = config(file).store("https://127.0.0.1:5000/v2/", Credential.basic("me", "s3cret"));

        assertThat(where).isEqualTo(file.toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(JSON.readTree(file.toFile()).at("/auths/127.0.0.1:5000/auth").asText())
                .isEqualTo(Base64.getEncoder().encodeToString("me:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(config(file).find("127.0.0.1:5000")).contains(Credential.basic("me", "s3cret"));
        try (var left = Files.list(file.getParent())) {
            assertThat(left).as("no temporary file is left").containsExactly(file);
        }
    }

    @Test
    void otherEntriesAreKeptAndEverySpellingOfTheRegistryIsReplaced() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"auths": {"quay.io": {"auth": "cXVheTpxdWF5"}, "https://index.docker.io/v1/": {"auth": "b2xkOm9sZA=="},
                           "index.docker.io": {"auth": "b2xkOm9sZA=="}},
                 "proxies": {"default": {"httpProxy": "http://proxy:3128"}}, "psFormat": "table {{.ID}}"}
                """);

        config(file).store("docker.io", Credential.basic("hub", "hub-s3cret"));

        JsonNode written = JSON.readTree(file.toFile());
        assertThat(written.get("auths").fieldNames()).toIterable().containsExactlyInAnyOrder("quay.io", "https://index.docker.io/v1/");
        assertThat(written.at("/auths/quay.io/auth").asText()).isEqualTo("cXVheTpxdWF5");
        assertThat(written.at("/proxies/default/httpProxy").asText()).isEqualTo("http://proxy:3128");
        assertThat(written.get("psFormat").asText()).isEqualTo("table {{.ID}}");
        assertThat(config(file).find("docker.io")).contains(Credential.basic("hub", "hub-s3cret"));

        assertThat(config(file).erase("index.docker.io")).isTrue();
        assertThat(config(file).find("docker.io")).isEmpty();
        assertThat(JSON.readTree(file.toFile()).get("auths").fieldNames()).toIterable().containsExactly("quay.io");
        assertThat(config(file).erase("docker.io")).as("nothing left to erase").isFalse();
    }

    @Test
    void aSymbolicLinkToTheConfigIsFollowedNotReplaced() throws IOException {
        Path real = Files.writeString(dir.resolve("dotfiles-config.json"), "{}");
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("home")).resolve("config.json"), real);

        config(link).store("ghcr.io", Credential.basic("me", "s3cret"));

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(config(real).find("ghcr.io")).contains(Credential.basic("me", "s3cret"));
    }

    @Test
    void aConfiguredHelperKeepsTheCredentialAndTheFileGetsNone() throws IOException {
        FileCredentialHelper store = FileCredentialHelper.install(dir.resolve("bin"), "filestore");
        FileCredentialHelper ghcr = FileCredentialHelper.install(dir.resolve("bin"), "ghcr");
        Path file = Files.writeString(dir.resolve("config.json"),
                "{\"credsStore\": \"filestore\", \"credHelpers\": {\"ghcr.io\": \"ghcr\", \"quay.io\": \"\"}}");

        assertThat(config(file).store("docker.io", Credential.basic("hub", "hub-s3cret"))).isEqualTo("docker-credential-filestore");
        assertThat(config(file).store("ghcr.io", Credential.basic("gh", "gh-s3cret"))).isEqualTo("docker-credential-ghcr");
        assertThat(config(file).store("quay.io", Credential.basic("q", "q-s3cret"))).as("an empty credHelpers entry means the file")
                .isEqualTo(file.toString());

        assertThat(store.stored("https://index.docker.io/v1/")).contains("\"Username\":\"hub\"").contains("\"Secret\":\"hub-s3cret\"");
        assertThat(ghcr.stored("ghcr.io")).contains("\"Secret\":\"gh-s3cret\"");
        assertThat(Files.readString(file)).doesNotContain("hub-s3cret").doesNotContain("gh-s3cret").contains("quay.io");
        assertThat(config(file).find("docker.io")).contains(Credential.basic("hub", "hub-s3cret"));

        assertThat(config(file).erase("ghcr.io")).isTrue();
        assertThat(ghcr.stored("ghcr.io")).isNull();
        assertThat(config(file).erase("ghcr.io")).isFalse();
        assertThat(ghcr.calls()).containsExactly("store ghcr.io", "erase ghcr.io", "erase ghcr.io");
    }

    @Test
    void aMalformedConfigIsNotOverwritten() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"auths\": [");

        assertThatThrownBy(() -> config(file).store("ghcr.io", Credential.basic("me", "s3cret")))
                .isInstanceOf(CredentialException.class).hasMessageContaining("malformed Docker config " + file);
        assertThat(Files.readString(file)).isEqualTo("{\"auths\": [");
    }
}
