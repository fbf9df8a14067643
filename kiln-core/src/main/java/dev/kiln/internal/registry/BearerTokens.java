package dev.kiln.internal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.internal.credentials.Credential;
import dev.kiln.error.AuthenticationException;
import dev.kiln.event.Telemetry;
import dev.kiln.image.ImageJson;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens from a registry's token server (Docker's token protocol), cached per registry and
 * scope until shortly before they expire: the one token cache of a transport. Tokens are fetched
 * through {@code tokenServer} (retried and counted like every request); a Docker identity token is
 * exchanged with an OAuth2 POST, other credentials go as Basic with a GET, none asks anonymously.
 */
final class BearerTokens {
    private final Exchange tokenServer;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    BearerTokens(Exchange tokenServer, Clock clock) {
        this.tokenServer = tokenServer;
        this.clock = clock;
    }

    /** The {@code Authorization} value for {@code scope} on {@code registry}: a cached token, or a new one. */
    String authorization(String registry, AuthChallenge challenge, String scope, Optional<Credential> credential,
                         Telemetry telemetry) throws IOException {
        String key = registry + " " + scope;
        Token cached = tokens.get(key);
        if (cached == null || !clock.instant().isBefore(cached.expires())) {
            cached = fetch(registry, challenge, scope, credential, telemetry);
            tokens.put(key, cached);
        }
        return "Bearer " + cached.value();
    }

    private Token fetch(String registry, AuthChallenge challenge, String scope, Optional<Credential> credential,
                        Telemetry telemetry) throws IOException {
        if (challenge.realm().isEmpty()) {
            throw new AuthenticationException("registry " + registry + " sent a Bearer challenge without a realm",
                    registry, 401, null, null);
        }
        URI realm = URI.create(challenge.realm());
        RegistryResponse response = tokenServer.send(request(registry, challenge, scope, credential, telemetry));
        int status = response.statusCode();
        if (status != 200) {
            Bodies.ErrorBody error = Bodies.errorBody(response);
            String refusal = credential.map(c -> "rejected the credentials of '" + c.username() + "'")
                    .orElse("refused anonymous access");
            throw RegistryErrors.answered("token server of " + registry + (status == 401 || status == 403
                    ? " " + refusal + " (" + status + ")" : " answered " + status), registry, status, error.code());
        }
        JsonNode json = ImageJson.tree(Bodies.readSmall(response), "token response from " + realm.getHost());
        String value = json.path("token").asText(json.path("access_token").asText(""));
        if (value.isEmpty()) {
            throw RegistryErrors.answered("token server of " + registry + " returned no token", registry, status, null);
        }
        long expiresIn = Math.max(60, json.path("expires_in").asLong(60));
        return new Token(value, clock.instant().plusSeconds(expiresIn - 10));
    }

    private static Exchange.Request request(String registry, AuthChallenge challenge, String scope,
                                            Optional<Credential> credential, Telemetry telemetry) {
        StringBuilder query = new StringBuilder();
        String service = challenge.params().get("service");
        if (service != null) {
            query.append("service=").append(encode(service));
        }
        if (scope != null) {
            // several scopes (a mount reads one repository and writes another) are several parameters
            for (String one : scope.split(" ")) {
                query.append(query.isEmpty() ? "" : "&").append("scope=").append(encode(one));
            }
        }
        String realm = challenge.realm();
        String what = "token request to " + URI.create(realm).getHost();
        Map<String, String> headers = new HashMap<>();
        if (credential.isPresent() && credential.get().isIdentityToken()) {
            // Docker's identity tokens are OAuth2 refresh tokens: exchange them with a POST
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            RequestBody form = RequestBody.of(query + "&grant_type=refresh_token&client_id=kiln&refresh_token="
                    + encode(credential.get().secret()));
            return new Exchange.Request(registry, "POST", URI.create(realm), headers, form, scope, what, telemetry);
        }
        credential.ifPresent(c -> headers.put("Authorization", Authenticator.basic(c)));
        URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
        return new Exchange.Request(registry, "GET", uri, headers, null, scope, what, telemetry);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private record Token(String value, Instant expires) {
        @Override
        public String toString() {
            return "Token[expires=" + expires + "]";
        }
    }
}
