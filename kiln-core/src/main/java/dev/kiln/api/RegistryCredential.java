package dev.kiln.api;

import dev.kiln.internal.credentials.Credential;

import java.util.Objects;

/**
 * Credentials for one registry, as a {@link CredentialSource} gives them: a user name and password (or a
 * personal access token used as one), or an identity token (an OAuth2 refresh token for the registry's
 * token server, as {@code docker login} stores for some registries). Never printed: {@link #toString()}
 * shows who, not the secret.
 *
 * @param username      the user name ({@code <token>} for an identity token)
 * @param secret        the password, access token or identity token
 * @param identityToken whether {@code secret} is an identity token
 */
public record RegistryCredential(String username, String secret, boolean identityToken) {
    /** Checks that neither part is missing. */
    public RegistryCredential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
    }

    /** A user name and password (or an access token used as a password). */
    public static RegistryCredential basic(String username, String secret) {
        return new RegistryCredential(username, secret, false);
    }

    /** An identity token, exchanged at the registry's token server as an OAuth2 refresh token. */
    public static RegistryCredential identity(String token) {
        return new RegistryCredential("<token>", token, true);
    }

    /** The engine's form of this credential. */
    Credential toCredential() {
        return identityToken ? Credential.identityToken(secret) : Credential.basic(username, secret);
    }

    /** Shows who, never the secret. */
    @Override
    public String toString() {
        return "RegistryCredential[username=" + username + ", secret=<redacted>" + (identityToken ? ", identity token" : "") + "]";
    }
}
