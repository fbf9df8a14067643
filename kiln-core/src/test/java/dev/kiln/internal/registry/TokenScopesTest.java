package dev.kiln.internal.registry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a token asked for covers, and how scopes are merged into one token request. */
class TokenScopesTest {
    @Test
    void mergedScopesCoverEachOfTheirPartsAndAskOneParameterPerRepository() {
        TokenScopes build = TokenScopes.parse("repository:base:pull")
                .with(TokenScopes.parse("repository:app:push,pull"))
                .with(TokenScopes.parse("repository:app:pull"));

        assertThat(build.parameters()).containsExactly("repository:base:pull", "repository:app:pull,push");
        assertThat(build.covers(TokenScopes.parse("repository:app:pull,push repository:base:pull"))).as("a mount").isTrue();
        assertThat(build.covers(TokenScopes.parse("repository:app:pull"))).isTrue();
        assertThat(build.covers(TokenScopes.parse(null))).as("a request needing no scope").isTrue();
        assertThat(build.covers(TokenScopes.parse("repository:base:push"))).as("never push on the base").isFalse();
        assertThat(build.covers(TokenScopes.parse("repository:other:pull"))).isFalse();
    }

    @Test
    void aRepositoryNameMayHoldAColonAndActionsMayRepeat() {
        TokenScopes scopes = TokenScopes.parse("repository:localhost:5000/app:pull,pull");

        assertThat(scopes.parameters()).containsExactly("repository:localhost:5000/app:pull");
        assertThat(scopes.covers(TokenScopes.parse("repository:localhost:5000/app:pull"))).isTrue();
        assertThat(scopes.covers(TokenScopes.parse("repository:localhost:pull"))).isFalse();
    }
}
