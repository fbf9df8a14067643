package dev.kiln.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void parsesDockerHubBearerChallenge() {
        AuthChallenge challenge = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/flink:pull,push\"").orElseThrow();
        assertThat(challenge.isBearer()).isTrue();
        assertThat(challenge.isBasic()).isFalse();
        assertThat(challenge.realm()).isEqualTo("https://auth.docker.io/token");
        assertThat(challenge.params()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "realm", "https://auth.docker.io/token",
                "service", "registry.docker.io",
                "scope", "repository:library/flink:pull,push"));
    }

    @Test
    void parsesBasicChallengeOfDistribution() {
        AuthChallenge challenge = AuthChallenge.parse("Basic realm=\"kiln-test\"").orElseThrow();
        assertThat(challenge.isBasic()).isTrue();
        assertThat(challenge.isBearer()).isFalse();
        assertThat(challenge.scheme()).isEqualTo("basic");
        assertThat(challenge.realm()).isEqualTo("kiln-test");
    }

    @Test
    void schemeAndParameterNamesAreCaseInsensitive() {
        AuthChallenge challenge = AuthChallenge.parse("  BEARER Realm=\"https://ghcr.io/token\",SERVICE=\"ghcr.io\"  ").orElseThrow();
        assertThat(challenge.isBearer()).isTrue();
        assertThat(challenge.realm()).isEqualTo("https://ghcr.io/token");
        assertThat(challenge.params()).containsEntry("service", "ghcr.io");
    }

    @Test
    void acceptsUnquotedValuesAndSpacesAfterCommas() {
        AuthChallenge challenge = AuthChallenge.parse("Bearer realm=https://r.example/token, service=r.example,  scope=\"a:b:pull\"")
                .orElseThrow();
        assertThat(challenge.params()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "realm", "https://r.example/token", "service", "r.example", "scope", "a:b:pull"));
    }

    @Test
    void unescapesQuotedPairs() {
        AuthChallenge challenge = AuthChallenge.parse("Bearer realm=\"https://r/token\",error=\"insufficient_scope\","
                + "error_description=\"say \\\"hi\\\" \\\\ bye\"").orElseThrow();
        assertThat(challenge.params()).containsEntry("error", "insufficient_scope")
                .containsEntry("error_description", "say \"hi\" \\ bye");
    }

    @Test
    void schemeWithoutParametersHasAnEmptyRealm() {
        AuthChallenge challenge = AuthChallenge.parse("Negotiate").orElseThrow();
        assertThat(challenge.scheme()).isEqualTo("negotiate");
        assertThat(challenge.isBearer()).isFalse();
        assertThat(challenge.isBasic()).isFalse();
        assertThat(challenge.params()).isEmpty();
        assertThat(challenge.realm()).isEmpty();
    }

    @Test
    void missingOrBlankHeaderIsNoChallenge() {
        assertThat(AuthChallenge.parse(null)).isEmpty();
        assertThat(AuthChallenge.parse("")).isEmpty();
        assertThat(AuthChallenge.parse("   ")).isEmpty();
    }
}
