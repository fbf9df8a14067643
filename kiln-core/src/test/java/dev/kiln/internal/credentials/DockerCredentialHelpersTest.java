package dev.kiln.internal.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.error.CredentialException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@code credHelpers} and {@code credsStore}, exercised with real helper programs. */
@DisabledOnOs(OS.WINDOWS)
class DockerCredentialHelpersTest {
    @TempDir Path dir;
    Path bin;

    @BeforeEach
    void helpers() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        helper("multi", """
                [ "$1" = get ] || { echo "unexpected action $1" >&2; exit 2; }
                url=$(cat)
                printf '%s\\n' "$url" >> "$0.calls"
                case "$url" in
                  "https://index.docker.io/v1/")
                    printf '{"ServerURL":"%s","Username":"hubuser","Secret":"hub-s3cret"}\\n' "$url" ;;
                  "ghcr.io")
                    printf '{"ServerURL":"ghcr.io","Username":"<token>","Secret":"ghcr-refresh-s3cret"}' ;;
                  "127.0.0.1:5000")
                    printf '{"ServerURL":"127.0.0.1:5000","Username":"local","Secret":"local-s3cret"}' ;;
                  *)
                    echo "credentials not found in native keychain"; exit 1 ;;
                esac
                """);
        // does not even read its input
        helper("notfound", "echo 'credentials not found in native keychain'\nexit 1\n");
        helper("broken", "cat >/dev/null\necho 'error getting credentials: keychain is locked' >&2\nexit 3\n");
        helper("truncated", "cat >/dev/null\nprintf '{\"Username\":\"u\",\"Secret\":\"trunc-s3cret'\n");
        helper("jsonthenfail", "cat >/dev/null\n"
                + "printf '{\"Username\":\"u\",\"Secret\":\"fail-s3cret\"}'\nexit 1\n");
        helper("slow", "cat >/dev/null\nsleep 30\n");
    }

    private void helper(String name, String body) throws IOException {
        Path script = bin.resolve("docker-credential-" + name);
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> calls(String name) throws IOException {
        Path log = bin.resolve("docker-credential-" + name + ".calls");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private DockerConfigCredentials provider(String json) throws IOException {
        return DockerConfigCredentials.fromFile(Files.writeString(dir.resolve("config.json"), json), List.of(bin));
    }

    private static String inline(String user, String password) {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return "{\"auth\":\"" + auth + "\"}";
    }

    @Test
    void credsStoreIsAskedWithDockersServerUrls() throws IOException {
        DockerConfigCredentials provider = provider("{\"credsStore\":\"multi\"}");

        assertThat(provider.find("docker.io")).contains(Credential.basic("hubuser", "hub-s3cret"));
        assertThat(provider.find("ghcr.io")).contains(Credential.identityToken("ghcr-refresh-s3cret"));
        assertThat(provider.find("127.0.0.1:5000")).contains(Credential.basic("local", "local-s3cret"));
        assertThat(provider.find("quay.io")).isEmpty();
        assertThat(calls("multi"))
                .containsExactly("https://index.docker.io/v1/", "ghcr.io", "127.0.0.1:5000", "quay.io");
    }

    @Test
    void credHelpersWinOverCredsStoreAndAuths() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"credHelpers\":{\"ghcr.io\":\"multi\"},\"credsStore\":\"broken\","
                        + "\"auths\":{\"ghcr.io\":" + inline("inline", "inline-s3cret") + "}}");

        assertThat(provider.find("ghcr.io")).contains(Credential.identityToken("ghcr-refresh-s3cret"));
        assertThatThrownBy(() -> provider.find("quay.io")) // no credHelper: the (broken) credsStore runs
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("docker-credential-broken");
    }

    @Test
    void aCredHelpersNotFoundIsFinalAsInDocker() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"credHelpers\":{\"quay.io\":\"notfound\"},"
                        + "\"auths\":{\"quay.io\":" + inline("inline", "inline-s3cret") + "}}");

        assertThat(provider.find("quay.io")).isEmpty();
    }

    @Test
    void aCredsStoreNotFoundFallsBackToAuths() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"credsStore\":\"notfound\",\"auths\":{"
                        + "\"https://index.docker.io/v1/\":{},"
                        + "\"quay.io\":" + inline("inline", "inline-s3cret") + "}}");

        assertThat(provider.find("quay.io")).contains(Credential.basic("inline", "inline-s3cret"));
        assertThat(provider.find("docker.io")).isEmpty();
    }

    @Test
    void anEmptyCredHelpersEntryBypassesCredsStore() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"credHelpers\":{\"quay.io\":\"\"},\"credsStore\":\"broken\","
                        + "\"auths\":{\"quay.io\":" + inline("inline", "inline-s3cret") + "}}");

        assertThat(provider.find("quay.io")).contains(Credential.basic("inline", "inline-s3cret"));
    }

    @Test
    void credHelpersKeysAreNormalised() throws IOException {
        DockerConfigCredentials provider =
                provider("{\"credHelpers\":{\"https://index.docker.io/v1/\":\"multi\",\"https://GHCR.io/\":\"multi\"}}");

        assertThat(provider.find("docker.io")).contains(Credential.basic("hubuser", "hub-s3cret"));
        assertThat(provider.find("ghcr.io")).contains(Credential.identityToken("ghcr-refresh-s3cret"));
    }

    @Test
    void aFailingHelperIsAnErrorNamingHelperAndHost() throws IOException {
        DockerConfigCredentials provider = provider("{\"credHelpers\":{\"docker.io\":\"broken\"}}");

        assertThatThrownBy(() -> provider.find("docker.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("docker-credential-broken")
                .hasMessageContaining("docker.io")
                .hasMessageContaining("exit 3")
                .hasMessageContaining("keychain is locked");
    }

    @Test
    void helperOutputCarryingSecretsIsNeverQuoted() throws IOException {
        DockerConfigCredentials truncated = provider("{\"credsStore\":\"truncated\"}");
        assertThatThrownBy(() -> truncated.find("ghcr.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("docker-credential-truncated")
                .hasMessageContaining("ghcr.io")
                .hasMessageNotContaining("s3cret")
                .hasNoCause();

        DockerConfigCredentials failing = provider("{\"credsStore\":\"jsonthenfail\"}");
        assertThatThrownBy(() -> failing.find("ghcr.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("docker-credential-jsonthenfail")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aMissingHelperNamesItselfAndTheConfig() throws IOException {
        DockerConfigCredentials provider = provider("{\"credsStore\":\"desktop\"}");

        assertThatThrownBy(() -> provider.find("docker.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("docker-credential-desktop")
                .hasMessageContaining("credsStore")
                .hasMessageContaining(dir.resolve("config.json").toString());
    }

    @Test
    void aHelperNameCannotEscapeThePath() throws IOException {
        DockerConfigCredentials provider = provider("{\"credHelpers\":{\"ghcr.io\":\"../bin/docker-credential-multi\"}}");

        assertThatThrownBy(() -> provider.find("ghcr.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("invalid credential helper name");
    }

    @Test
    void aHangingHelperTimesOut() throws IOException {
        DockerConfigCredentials provider = new DockerConfigCredentials(
                Files.writeString(dir.resolve("config.json"), "{\"credsStore\":\"slow\"}"), List.of(bin), Duration.ofMillis(500));

        long start = System.nanoTime();
        assertThatThrownBy(() -> provider.find("ghcr.io"))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("docker-credential-slow")
                .hasMessageContaining("did not answer");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void fromEnvironmentLooksHelpersUpOnTheGivenPath() throws IOException {
        Path configDir = Files.createDirectories(dir.resolve("docker"));
        Files.writeString(configDir.resolve("config.json"), "{\"credsStore\":\"multi\"}");
        Map<String, String> env =
                Map.of("DOCKER_CONFIG", configDir.toString(), "PATH", dir.resolve("nowhere") + ":" + bin);

        Credential credential = DockerConfigCredentials.fromEnvironment(env, dir).find("docker.io").orElseThrow();

        assertThat(credential).isEqualTo(Credential.basic("hubuser", "hub-s3cret"));
        assertThat(credential.toString()).doesNotContain("hub-s3cret");
    }
}
