package dev.kiln.internal.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialTest {

    @Test
    void toStringShowsTheUsernameButNeverTheSecret() {
        Credential credential = new Credential("alice", "hunter2-s3cret");

        assertThat(credential.toString()).contains("alice").contains("****").doesNotContain("hunter2");
        assertThat(credential.kind()).isEqualTo(Credential.Kind.BASIC);
        assertThat(credential.isIdentityToken()).isFalse();
        assertThat(credential).isEqualTo(Credential.basic("alice", "hunter2-s3cret"));
    }

    @Test
    void identityTokenIsDistinguishableFromAPasswordAndMasked() {
        Credential token = Credential.identityToken("refresh-s3cret");

        assertThat(token.isIdentityToken()).isTrue();
        assertThat(token.username()).isEqualTo("<token>");
        assertThat(token.secret()).isEqualTo("refresh-s3cret");
        assertThat(token).isNotEqualTo(Credential.basic("<token>", "refresh-s3cret"));
        assertThat(token.toString()).contains("****").doesNotContain("refresh-s3cret");
    }

    @Test
    void rejectsMissingParts() {
        assertThatThrownBy(() -> new Credential(null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Credential("u", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Credential.identityToken(""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
