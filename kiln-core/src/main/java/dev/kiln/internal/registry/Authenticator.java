package dev.kiln.internal.registry;

import dev.kiln.internal.credentials.Credential;
import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.error.AuthenticationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates requests to registries. A registry's first 401 says how ({@code WWW-Authenticate}:
 * Basic, or Bearer with a token server); the challenge is remembered, so later requests carry the
 * credentials (or the scope's token) up front and save the round trip. A 401 after authenticating,
 * and a 403, become an {@link AuthenticationException} carrying the registry, the status and the
 * registry's error code; messages name the user, never the secret, and give no shell advice (a
 * front end knows how its users provide credentials).
 */
final class Authenticator implements Exchange {
    private final CredentialProvider credentials;
    private final BearerTokens tokens;
    private final Exchange next;
    private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();

    Authenticator(CredentialProvider credentials, BearerTokens tokens, Exchange next) {
        this.credentials = credentials;
        this.tokens = tokens;
        this.next = next;
    }

    @Override
    public RegistryResponse send(Request request) throws IOException {
        String registry = request.registry();
        AuthChallenge known = challenges.get(registry);
        RegistryResponse response = next.send(known == null ? request : authorized(request, known));
        if (response.statusCode() == 401) {
            Optional<AuthChallenge> challenge = AuthChallenge.parse(response.header("WWW-Authenticate").orElse(null));
            Bodies.ErrorBody error = Bodies.errorBody(response);
            if (challenge.isEmpty()) {
                throw refused(request, 401, error, " refused " + request.what() + " (401) without saying how to authenticate");
            }
            if (!challenge.get().isBasic() && !challenge.get().isBearer()) {
                throw refused(request, 401, error, " asks for unsupported authentication scheme '" + challenge.get().scheme() + "'");
            }
            Optional<Credential> credential = credentials.find(registry);
            if (challenge.get().isBasic() && credential.isEmpty()) {
                throw refused(request, 401, error, requiresAuthentication(request));
            }
            challenges.put(registry, challenge.get());
            response = next.send(authorized(request, challenge.get()));
            if (response.statusCode() == 401) {
                throw refused(request, 401, Bodies.errorBody(response), credential
                        .map(c -> " rejected the credentials of '" + c.username() + "' for " + request.what() + " (401)")
                        .orElseGet(() -> requiresAuthentication(request)));
            }
        }
        if (response.statusCode() == 403) {
            Bodies.ErrorBody error = Bodies.errorBody(response);
            throw refused(request, 403, error, " denied " + request.what() + " (403" + error.detail()
                    + "): the credentials lack the permission; check the account's access to this repository");
        }
        return response;
    }

    /** The request with what {@code challenge} asks for: Basic credentials (when there are any) or the scope's token. */
    private Request authorized(Request request, AuthChallenge challenge) throws IOException {
        Optional<Credential> credential = credentials.find(request.registry());
        String authorization = challenge.isBasic() ? credential.map(Authenticator::basic).orElse(null)
                : challenge.isBearer() ? tokens.authorization(request.registry(), challenge, request.scope(), credential,
                request.telemetry())
                : null;
        return request.withHeader("Authorization", authorization);
    }

    private static String requiresAuthentication(Request request) {
        return " requires authentication for " + request.what() + " (401) and no credentials are configured for it";
    }

    private static AuthenticationException refused(Request request, int status, Bodies.ErrorBody error, String text) {
        return new AuthenticationException("registry " + request.registry() + text, request.registry(), status, error.code(), null);
    }

    static String basic(Credential credential) {
        String pair = credential.username() + ":" + credential.secret();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
