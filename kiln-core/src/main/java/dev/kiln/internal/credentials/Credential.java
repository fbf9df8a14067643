package dev.kiln.internal.credentials;

import java.util.Objects;

/**
 * A credential for one registry: either a username and password (sent as HTTP Basic or as the
 * password grant of a token server) or an identity token (a long-lived OAuth2 refresh token, what
 * Docker stores as {@code identitytoken}). The two travel differently on the wire, so {@link #kind}
 * keeps them apart.
 *
 * <p>{@link #toString()} never prints the secret, so a credential may be logged or land in an
 * exception message safely.
 *
 * @param username the user name; {@value #IDENTITY_TOKEN_USERNAME} for identity tokens, following
 *     the Docker credential-helper convention
 * @param secret the password, personal access token or identity token
 * @param kind how the registry client must present the secret
 */
public record Credential(String username, String secret, Kind kind) {

    /** The user name Docker and its credential helpers use to mark an identity token. */
    public static final String IDENTITY_TOKEN_USERNAME = "<token>";

    /** How the secret is presented to the registry. */
    public enum Kind {
        /** Username and password: HTTP Basic, or the password grant of a token server. */
        BASIC,
        /** An OAuth2 refresh token for the registry's token server; the username is meaningless. */
        IDENTITY_TOKEN
    }

    public Credential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.IDENTITY_TOKEN && secret.isEmpty()) {
            throw new IllegalArgumentException("an identity token must not be empty");
        }
    }

    /** A username and password (or personal access token used as a password). */
    public Credential(String username, String secret) {
        this(username, secret, Kind.BASIC);
    }

    /** A username and password (or personal access token used as a password). */
    public static Credential basic(String username, String secret) {
        return new Credential(username, secret, Kind.BASIC);
    }

    /** An identity token, to be exchanged as an OAuth2 refresh token. */
    public static Credential identityToken(String token) {
        return new Credential(IDENTITY_TOKEN_USERNAME, token, Kind.IDENTITY_TOKEN);
    }

    /** Whether the secret is an OAuth2 refresh token rather than a password. */
    public boolean isIdentityToken() {
        return kind == Kind.IDENTITY_TOKEN;
    }

    /** Shows who, never the secret. */
    @Override
    public String toString() {
        return kind == Kind.IDENTITY_TOKEN
                ? "Credential[identityToken=****]"
                : "Credential[username=" + username + ", secret=****]";
    }
}
