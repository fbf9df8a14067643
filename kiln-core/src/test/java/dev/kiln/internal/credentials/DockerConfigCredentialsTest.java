package dev.kiln.internal.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.error.CredentialException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code auths} part of the Docker config, and where the file is found. */
class DockerConfigCredentialsTest {
    @TempDir Path dir;

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private Path config(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    private DockerConfigCredentials provider(String json) throws IOException {
        return DockerConfigCredentials.fromFile(config(json), List.of());
    }

    @Test
    void decodesBase64Auth() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("octocat:pa:ss-s3cret") + "\"}}}");

        assertThat(provider.find("ghcr.io")).contains(Credential.basic("octocat", "pa:ss-s3cret"));
        assertThat(provider.find("quay.io")).isEmpty();
    }

    @Test
    void readsUsernameAndPasswordFields() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"auths\":{\"quay.io\":{\"username\":\"robot\",\"password\":\"quay-s3cret\"}}}");

        assertThat(provider.find("quay.io")).contains(Credential.basic("robot", "quay-s3cret"));
    }

    @Test
    void authWinsOverTheSeparateFieldsAsInDocker() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"auths\":{\"quay.io\":{\"auth\":\"" + b64("fromauth:a-s3cret")
                        + "\",\"username\":\"fromfields\",\"password\":\"f-s3cret\"}}}");

        assertThat(provider.find("quay.io")).contains(Credential.basic("fromauth", "a-s3cret"));
    }

    @Test
    void identityTokenWinsAndIsMarkedAsSuch() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"auths\":{\"myregistry.azurecr.io\":{\"auth\":\"" + b64("00000000-0000:")
                        + "\",\"identitytoken\":\"refresh-s3cret\"}}}");

        Credential credential = provider.find("myregistry.azurecr.io").orElseThrow();
        assertThat(credential.isIdentityToken()).isTrue();
        assertThat(credential.secret()).isEqualTo("refresh-s3cret");
        assertThat(credential.toString()).doesNotContain("refresh-s3cret");
    }

    @Test
    void urlFormKeysAreNormalisedToHosts() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"auths\":{"
                        + "\"https://ghcr.io/v2/\":{\"auth\":\"" + b64("g:g-s3cret") + "\"},"
                        + "\"http://127.0.0.1:5000\":{\"auth\":\"" + b64("l:l-s3cret") + "\"},"
                        + "\"https://[::1]:5000/v1/\":{\"auth\":\"" + b64("v6:v6-s3cret") + "\"},"
                        + "\"Registry.Example.COM\":{\"auth\":\"" + b64("e:e-s3cret") + "\"}}}");

        assertThat(provider.find("ghcr.io")).contains(Credential.basic("g", "g-s3cret"));
        assertThat(provider.find("127.0.0.1:5000")).contains(Credential.basic("l", "l-s3cret"));
        assertThat(provider.find("[::1]:5000")).contains(Credential.basic("v6", "v6-s3cret"));
        assertThat(provider.find("registry.example.com")).contains(Credential.basic("e", "e-s3cret"));
        assertThat(provider.find("127.0.0.1")).isEmpty();
    }

    @Test
    void dockerHubAliasesAllMeanDockerIo() throws IOException {
        for (String key : List.of("https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io",
                "https://registry-1.docker.io", "docker.io")) {
            DockerConfigCredentials provider =
                    provider("{\"auths\":{\"" + key + "\":{\"auth\":\"" + b64("hub:hub-s3cret") + "\"}}}");

            assertThat(provider.find("docker.io")).as(key).contains(Credential.basic("hub", "hub-s3cret"));
            assertThat(provider.find("index.docker.io")).as(key).contains(Credential.basic("hub", "hub-s3cret"));
        }
    }

    @Test
    void anExactKeyBeatsAnAliasAndEmptyPlaceholdersAreSkipped() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"auths\":{"
                        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("legacy:l-s3cret") + "\"},"
                        + "\"docker.io\":{\"auth\":\"" + b64("exact:e-s3cret") + "\"},"
                        + "\"https://ghcr.io\":{},"
                        + "\"ghcr.io/\":{\"auth\":\"" + b64("g:g-s3cret") + "\"}}}");

        assertThat(provider.find("docker.io")).contains(Credential.basic("exact", "e-s3cret"));
        assertThat(provider.find("ghcr.io")).contains(Credential.basic("g", "g-s3cret"));
    }

    @Test
    void missingOrBlankFileMeansNoCredentials() throws IOException {
        assertThat(DockerConfigCredentials.fromFile(dir.resolve("absent/config.json"), List.of())
                .find("docker.io")).isEmpty();
        assertThat(provider("  \n").find("docker.io")).isEmpty();
        assertThat(provider("{}").find("docker.io")).isEmpty();
        assertThat(provider("{\"auths\":{},\"proxies\":{\"default\":{}}}").find("docker.io")).isEmpty();
    }

    @Test
    void malformedJsonNamesTheFileButNotTheSecret() throws IOException {
        // an unquoted value: Jackson's own message would quote it
        DockerConfigCredentials provider = provider("{\"auths\":{\"ghcr.io\":{\"auth\": c2VjcmV0LXMzY3JldA}}}");

        assertThatThrownBy(() -> provider.find("ghcr.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining("line 1")
                .hasMessageNotContaining("c2VjcmV0")
                .hasNoCause();
    }

    @Test
    void wrongShapesAreMalformed() throws IOException {
        assertThatThrownBy(() -> provider("[]").find("x.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("config.json");
        assertThatThrownBy(() -> provider("{\"auths\":[]}").find("x.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("'auths'");
        assertThatThrownBy(() -> provider("{\"credsStore\":7}").find("x.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("'credsStore'");
        assertThatThrownBy(() -> provider("{} {}").find("x.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void badAuthValuesNameTheEntryButNotTheSecret() throws IOException {
        assertThatThrownBy(() -> provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"not base64 s3cret!\"}}}")
                        .find("ghcr.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("ghcr.io")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> provider("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("no-colon-s3cret") + "\"}}}")
                        .find("ghcr.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("user:password")
                .hasMessageNotContaining("s3cret")
                .hasMessageNotContaining(b64("no-colon-s3cret"));
    }

    @Test
    void readsLazilyAndOnlyOnce() throws IOException {
        Path file = dir.resolve("config.json");
        DockerConfigCredentials provider = DockerConfigCredentials.fromFile(file, List.of());

        config("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("first:1-s3cret") + "\"}}}"); // after construction
        assertThat(provider.find("ghcr.io")).contains(Credential.basic("first", "1-s3cret"));

        config("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("second:2-s3cret") + "\"}}}");
        assertThat(provider.find("ghcr.io")).contains(Credential.basic("first", "1-s3cret"));
    }

    @Test
    void aFailedReadIsRememberedToo() throws IOException {
        DockerConfigCredentials provider = provider("{broken");
        assertThatThrownBy(() -> provider.find("ghcr.io")).isInstanceOf(CredentialException.class);

        config("{}");
        assertThatThrownBy(() -> provider.find("ghcr.io")).isInstanceOf(CredentialException.class);
    }

    @Test
    void locatesTheConfigLikeDocker() {
        Path home = dir.resolve("home");
        assertThat(DockerConfigCredentials.defaultConfigFile(Map.of("DOCKER_CONFIG", "/etc/kiln-docker"), home))
                .isEqualTo(Path.of("/etc/kiln-docker/config.json"));
        assertThat(DockerConfigCredentials.defaultConfigFile(Map.of("DOCKER_CONFIG", " "), home))
                .isEqualTo(home.resolve(".docker/config.json"));
        assertThat(DockerConfigCredentials.defaultConfigFile(Map.of(), home))
                .isEqualTo(home.resolve(".docker/config.json"));
    }

    @Test
    void fromEnvironmentReadsDockerConfigElseHome() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(home.resolve(".docker/config.json"),
                "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("home:h-s3cret") + "\"}}}");
        Path custom = Files.createDirectories(dir.resolve("custom"));
        Files.writeString(custom.resolve("config.json"),
                "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("custom:c-s3cret") + "\"}}}");

        assertThat(DockerConfigCredentials.fromEnvironment(Map.of(), home).find("ghcr.io"))
                .contains(Credential.basic("home", "h-s3cret"));
        DockerConfigCredentials viaEnv =
                DockerConfigCredentials.fromEnvironment(Map.of("DOCKER_CONFIG", custom.toString()), home);
        assertThat(viaEnv.configFile()).isEqualTo(custom.resolve("config.json"));
        assertThat(viaEnv.find("ghcr.io")).contains(Credential.basic("custom", "c-s3cret"));
        assertThat(viaEnv.toString()).doesNotContain("s3cret");
    }

    @Test
    void rejectsABlankHost() throws IOException {
        DockerConfigCredentials provider = provider("{}");
        assertThatThrownBy(() -> provider.find(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> provider.find(null)).isInstanceOf(NullPointerException.class);
    }
}
