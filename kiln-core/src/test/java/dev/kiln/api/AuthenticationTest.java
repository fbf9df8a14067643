package dev.kiln.api;

import dev.kiln.error.AuthenticationException;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Basic and Bearer-token authentication against real registries, with credentials from the API and the Docker config. */
class AuthenticationTest {
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path cacheDir;

    @Test
    void basicAuthWithCredentialsFromTheDockerConfig() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed image = new TestImages(registry, 1).push("secure/app:1", AMD64, 20_000);
            Path config = cacheDir.resolve("docker/config.json");
            Files.createDirectories(config.getParent());
            String auth = Base64.getEncoder().encodeToString((registry.username() + ":" + registry.password()).getBytes());
            Files.writeString(config, "{\"auths\":{\"" + registry.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
            try (Kiln kiln = TestKilns.builder(cacheDir).dockerConfig(config).build()) {
                PullResult result = kiln.pull(PullRequest.of(image.reference().toString()));
                assertThat(result.digest()).isEqualTo(image.digest().toString());
                long mark = registry.mark();
                kiln.pull(PullRequest.builder(image.reference().toString()).policy(dev.kiln.image.PullPolicy.ALWAYS).build());
                assertThat(registry.requestsSince(mark)).as("Basic is sent up front once the registry asked for it")
                        .containsExactly(new AccessLogEntry("HEAD", "/v2/secure/app/manifests/1", 200));
            }
        }
    }

    @Test
    void wrongOrMissingCredentialsAreClearErrorsThatNameTheRegistry() {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed image = new TestImages(registry, 2).push("secure/app:1", AMD64, 20_000);
            try (Kiln kiln = TestKilns.builder(cacheDir)
                    .credential(registry.hostPort(), registry.username(), "wrong-secret-123").build()) {
                assertThatThrownBy(() -> kiln.pull(PullRequest.of(image.reference().toString())))
                        .isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining(registry.hostPort())
                        .hasMessageContaining("rejected the credentials of '" + registry.username() + "'")
                        .as("shell advice is the CLI's to give (issue 13); the API's error carries the data")
                        .hasMessageNotContaining("docker login")
                        .hasMessageNotContaining("wrong-secret-123")
                        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                            assertThat(e.registry()).hasValue(registry.hostPort());
                            assertThat(e.status()).hasValue(401);
                            assertThat(e.isAuthentication()).isTrue();
                        });
            }
            try (Kiln anonymous = TestKilns.builder(cacheDir).build()) {
                assertThatThrownBy(() -> anonymous.pull(PullRequest.of(image.reference().toString())))
                        .isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("requires authentication")
                        .hasMessageContaining(registry.hostPort());
            }
            assertThat(cacheDir.resolve("store/blobs")).doesNotExist();
        }
    }

    @Test
    void bearerTokensAreFetchedPerScopeAndReused() {
        try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
            TestImages.Pushed image = new TestImages(registry, 3).push("token/app:1", AMD64, 20_000, 10_000);
            int tokensBefore = registry.tokenServer().tokenRequests();
            try (Kiln kiln = TestKilns.builder(cacheDir)
                    .credential(registry.hostPort(), registry.username(), registry.password()).build()) {
                PullResult result = kiln.pull(PullRequest.of(image.reference().toString()));
                assertThat(result.digest()).isEqualTo(image.digest().toString());
                assertThat(registry.tokenServer().tokenRequests() - tokensBefore).as("one token for the pull scope").isEqualTo(1);
                assertThat(registry.tokenServer().requestedScopes()).last().isEqualTo("repository:token/app:pull");

                kiln.pull(PullRequest.builder(image.reference().toString()).policy(dev.kiln.image.PullPolicy.ALWAYS).build());
                assertThat(registry.tokenServer().tokenRequests() - tokensBefore).as("token reused until it expires").isEqualTo(1);
            }
        }
    }

    @Test
    void tokenServerRefusingTheCredentialsIsAnAuthenticationError() {
        try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
            TestImages.Pushed image = new TestImages(registry, 4).push("token/app:1", AMD64, 10_000);
            try (Kiln kiln = TestKilns.builder(cacheDir)
                    .credential(registry.hostPort(), "mallory", "not-the-password").build()) {
                assertThatThrownBy(() -> kiln.pull(PullRequest.of(image.reference().toString())))
                        .isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining(registry.hostPort())
                        .hasMessageContaining("mallory")
                        .hasMessageNotContaining("not-the-password");
            }
        }
    }
}
