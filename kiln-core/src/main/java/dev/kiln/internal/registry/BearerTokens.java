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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Bearer tokens from a registry's token server (Docker's token protocol): the one token cache of a
 * transport. A token is asked for every scope the operation said it will need on the registry
 * ({@link #expect}) besides the one the request needs, so that one token serves a whole build (the
 * base's pull, the target's pull and push, mounts); it serves every later request whose scopes it
 * covers, from any operation, until shortly before it expires ({@code expires_in} from
 * {@code issued_at}, 60 s when the server says nothing). Concurrent requests that need a token being
 * fetched wait for that fetch instead of asking again. Tokens are fetched through {@code tokenServer}
 * (retried and counted like every request); a Docker identity token is exchanged with an OAuth2 POST,
 * other credentials go as Basic with a GET, none asks anonymously.
 */
final class BearerTokens {
    /** The lifetime of a token whose server does not say, per the token specification. */
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    /** How long before its end a token is no longer sent: a request in flight must not outlive it. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private final Exchange tokenServer;
    private final Clock clock;
    /** Per operation (weakly: an operation that ended is forgotten), per registry, the scopes it will need. */
    private final Map<Telemetry, Map<String, TokenScopes>> plans = new WeakHashMap<>();
    /** Tokens being fetched or still valid; guarded by {@code this}. */
    private final List<Grant> grants = new ArrayList<>();

    BearerTokens(Exchange tokenServer, Clock clock) {
        this.tokenServer = tokenServer;
        this.clock = clock;
    }

    /** A token for {@code scopes} on {@code registry}: being fetched until {@code token} completes. */
    private record Grant(String registry, TokenScopes scopes, CompletableFuture<Token> token) {
        boolean serves(String host, TokenScopes needed) {
            return registry.equals(host) && scopes.covers(needed);
        }

        boolean expired(Instant now) {
            return token.isDone() && !now.isBefore(token.join().expires());
        }
    }

    /** Notes that {@code operation} will need {@code scope} on {@code registry}: its first token there asks for it too. */
    synchronized void expect(Telemetry operation, String registry, String scope) {
        plans.computeIfAbsent(operation, o -> new HashMap<>()).merge(registry, TokenScopes.parse(scope), TokenScopes::with);
    }

    /** The {@code Authorization} value for {@code scope} on {@code registry}: a token that covers it, or a new one. */
    String authorization(String registry, AuthChallenge challenge, String scope, Optional<Credential> credential,
                         Telemetry telemetry) throws IOException {
        TokenScopes needed = TokenScopes.parse(scope);
        Grant grant;
        boolean fetching = false;
        synchronized (this) {
            Instant now = clock.instant();
            grants.removeIf(g -> g.expired(now));
            grant = grants.stream().filter(g -> g.serves(registry, needed)).findFirst().orElse(null);
            if (grant == null) {
                TokenScopes planned = plans.getOrDefault(telemetry, Map.of()).getOrDefault(registry, TokenScopes.NONE);
                grant = new Grant(registry, needed.with(planned), new CompletableFuture<>());
                grants.add(grant);
                fetching = true;
            }
        }
        if (fetching) {
            try {
                grant.token().complete(fetch(registry, challenge, grant.scopes(), credential, telemetry));
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    grants.remove(grant);
                }
                if (Thread.currentThread().isInterrupted()) {
                    grant.token().cancel(false);   // this operation was stopped: the others waiting ask again
                } else {
                    grant.token().completeExceptionally(e);
                }
                throw e;
            }
        }
        Optional<Token> token = await(grant, registry);
        return token.isPresent() ? "Bearer " + token.get().value() : authorization(registry, challenge, scope, credential, telemetry);
    }

    /**
     * The grant's token, once its fetch (perhaps another thread's) is done; its failure is this request's.
     * Empty when the thread fetching it was interrupted: then it is asked for again.
     */
    private static Optional<Token> await(Grant grant, String registry) throws IOException {
        try {
            return Optional.of(grant.token().get());
        } catch (CancellationException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            throw Exchange.interrupted("the wait for a token of " + registry);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        }
    }

    private Token fetch(String registry, AuthChallenge challenge, TokenScopes scopes, Optional<Credential> credential,
                        Telemetry telemetry) throws IOException {
        if (challenge.realm().isEmpty()) {
            throw new AuthenticationException("registry " + registry + " sent a Bearer challenge without a realm",
                    registry, 401, null, null);
        }
        URI realm = URI.create(challenge.realm());
        Instant sent = clock.instant();
        RegistryResponse response = tokenServer.send(request(registry, challenge, scopes, credential, telemetry));
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
        long seconds = json.path("expires_in").asLong(0);
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_LIFETIME;
        Duration margin = MARGIN.compareTo(lifetime.dividedBy(4)) < 0 ? MARGIN : lifetime.dividedBy(4);
        return new Token(value, issued(json.path("issued_at").asText(""), sent, clock.instant()).plus(lifetime).minus(margin));
    }

    /**
     * When the token was issued: its {@code issued_at}, but never outside the exchange (a server whose
     * clock is off must not make a token look older or younger than it can be), else when it arrived.
     */
    static Instant issued(String issuedAt, Instant sent, Instant received) {
        try {
            Instant said = OffsetDateTime.parse(issuedAt).toInstant();
            return said.isBefore(sent) ? sent : said.isAfter(received) ? received : said;
        } catch (DateTimeParseException absent) {
            return received;
        }
    }

    private static Exchange.Request request(String registry, AuthChallenge challenge, TokenScopes scopes,
                                            Optional<Credential> credential, Telemetry telemetry) {
        StringBuilder query = new StringBuilder();
        String service = challenge.params().get("service");
        if (service != null) {
            query.append("service=").append(encode(service));
        }
        // several scopes (a mount reads one repository and writes another) are several parameters
        for (String one : scopes.parameters()) {
            query.append(query.isEmpty() ? "" : "&").append("scope=").append(encode(one));
        }
        String scope = String.join(" ", scopes.parameters());
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
