package dev.kiln.internal.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.error.CredentialException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CredentialProviderTest {
    private static final Credential ALICE = Credential.basic("alice", "alice-s3cret");
    private static final Credential BOB = Credential.basic("bob", "bob-s3cret");

    @Test
    void noneFindsNothing() {
        assertThat(CredentialProvider.none().find("docker.io")).isEmpty();
    }

    @Test
    void staticCredentialsCanonicaliseHosts() {
        StaticCredentials provider =
                StaticCredentials.of(
                        Map.of("https://index.docker.io/v1/", ALICE, "127.0.0.1:5000", BOB));

        assertThat(provider.find("docker.io")).contains(ALICE);
        assertThat(provider.find("registry-1.docker.io")).contains(ALICE);
        assertThat(provider.find("127.0.0.1:5000")).contains(BOB);
        assertThat(provider.find("ghcr.io")).isEmpty();
        assertThat(provider.toString()).contains("docker.io").doesNotContain("s3cret");
    }

    @Test
    void staticCredentialsRejectTwoSpellingsOfOneRegistry() {
        assertThatThrownBy(() -> StaticCredentials.of(Map.of("docker.io", ALICE, "index.docker.io", BOB)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("docker.io")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void firstOfAsksInOrderAndStopsAtTheFirstHit() {
        AtomicInteger lastAsked = new AtomicInteger();
        CredentialProvider failing =
                host -> {
                    lastAsked.incrementAndGet();
                    throw new CredentialException("must not be asked");
                };
        CredentialProvider chain =
                CredentialProvider.firstOf(
                        StaticCredentials.of("ghcr.io", ALICE), StaticCredentials.of("ghcr.io", BOB), failing);

        assertThat(chain.find("ghcr.io")).contains(ALICE);
        assertThat(lastAsked).hasValue(0);
    }

    @Test
    void firstOfFallsThroughEmptyProvidersAndPropagatesFailures() {
        CredentialProvider chain =
                CredentialProvider.firstOf(
                        List.of(CredentialProvider.none(), StaticCredentials.of("quay.io", BOB)));
        assertThat(chain.find("quay.io")).contains(BOB);
        assertThat(chain.find("ghcr.io")).isEmpty();

        CredentialProvider broken =
                CredentialProvider.none()
                        .orElse(host -> { throw new CredentialException("helper broke"); })
                        .orElse(StaticCredentials.of("ghcr.io", ALICE));
        assertThatThrownBy(() -> broken.find("ghcr.io")).hasMessage("helper broke");
    }
}
