package dev.kiln.api;

import dev.kiln.error.AuthenticationException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Kiln#checkCredential}: a credential is checked as {@code docker login} checks it, against real registries
 * with htpasswd Basic and with Bearer token authentication, independently of the credentials the Kiln was given.
 */
class CheckCredentialTest {
    @TempDir
    Path cacheDir;

    @Test
    void basicAuthAcceptsTheRightPasswordAndRefusesAWrongOne() {
        try (RegistryFixture registry = RegistryFixture.basicAuth();
             Kiln kiln = TestKilns.builder(cacheDir).credential(registry.hostPort(), registry.username(), "configured-but-wrong").build()) {
            long mark = registry.mark();
            kiln.checkCredential("http://" + registry.hostPort() + "/v2/", RegistryCredential.basic(registry.username(), registry.password()));
            assertThat(registry.requestsSince(mark)).as("the API root, asked without and then with the credential")
                    .containsExactly(new AccessLogEntry("GET", "/v2/", 401), new AccessLogEntry("GET", "/v2/", 200));

            assertThatThrownBy(() -> kiln.checkCredential(registry.hostPort(), RegistryCredential.basic(registry.username(), "nope-123")))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessage("registry " + registry.hostPort() + " rejected the credentials of 'kiln' for GET /v2/ (401)")
                    .hasMessageNotContaining("nope-123");
        }
    }

    @Test
    void tokenAuthAsksTheTokenServerForNoRepository() {
        try (RegistryFixture registry = RegistryFixture.tokenAuth();
             Kiln kiln = TestKilns.kiln(cacheDir)) {
            int scopesBefore = registry.tokenServer().requestedScopes().size();
            int tokensBefore = registry.tokenServer().tokenRequests();
            kiln.checkCredential(registry.hostPort(), RegistryCredential.basic(registry.username(), registry.password()));
            assertThat(registry.tokenServer().tokenRequests()).isEqualTo(tokensBefore + 1);
            assertThat(registry.tokenServer().requestedScopes()).hasSize(scopesBefore);

            assertThatThrownBy(() -> kiln.checkCredential(registry.hostPort(), RegistryCredential.basic(registry.username(), "nope-123")))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("token server of " + registry.hostPort() + " rejected the credentials of 'kiln' (401)");
        }
    }

    @Test
    void aRegistryThatNamesNoHostIsBadInput() {
        try (Kiln kiln = TestKilns.kiln(cacheDir)) {
            assertThatThrownBy(() -> kiln.checkCredential("https://", RegistryCredential.basic("u", "p")))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("invalid registry 'https://'");
        }
        assertThat(DockerCredentialStore.registryHost("https://index.docker.io/v1/")).isEqualTo("docker.io");
        assertThat(DockerCredentialStore.registryHost("GHCR.io/owner/repo")).isEqualTo("ghcr.io");
    }
}
