package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.credentials.Credential;
import dev.kiln.credentials.CredentialProvider;
import dev.kiln.error.AuthenticationException;
import dev.kiln.error.KilnException;
import dev.kiln.error.RegistryException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.ImageJson;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP layer under {@link RegistryClient}, shared by all operations of a Kiln instance: picks
 * the scheme and TLS settings per registry, authenticates (Basic, Bearer tokens cached per scope
 * until they expire), follows redirects without leaking credentials to other hosts, and retries
 * transient failures with backoff. Thread-safe.
 */
public final class RegistryTransport {
    private static final Set<Integer> RETRYABLE = Set.of(429, 500, 502, 503, 504);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_SMALL_BODY = 1024 * 1024;
    private static final String USER_AGENT = "kiln";

    private final RegistryOptions options;
    private final CredentialProvider credentials;
    private final Wire wire;
    private final Map<String, String> schemes = new ConcurrentHashMap<>();
    private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    public RegistryTransport(RegistryOptions options, CredentialProvider credentials) {
        this.options = options;
        this.credentials = credentials;
        TlsContexts tls = new TlsContexts(options);
        this.wire = new Wire(authority -> options.failFast().getOrDefault(authority, options.connectTimeout()),
                authority -> options.failFast().getOrDefault(authority, options.requestTimeout()), tls::forRegistry,
                options::isInsecure);
    }

    public RegistryOptions options() {
        return options;
    }

    /**
     * One registry API call. {@code path} is relative to {@code /v2/} or an absolute URL given by
     * the registry (upload locations); {@code body} is re-created for each attempt.
     */
    public record Call(String registry, String method, String path, Map<String, String> headers,
                       RequestBody body, String scope, String what) {
        public static Call of(String registry, String method, String path, String scope, String what) {
            return new Call(registry, method, path, Map.of(), null, scope, what);
        }

        public Call withHeaders(Map<String, String> newHeaders) {
            return new Call(registry, method, path, newHeaders, body, scope, what);
        }

        public Call withBody(RequestBody newBody) {
            return new Call(registry, method, path, headers, newBody, scope, what);
        }
    }

    /**
     * Sends {@code call}, authenticating and retrying as needed. The caller owns the returned body
     * and must close it. 401 and 403 become {@link AuthenticationException}; other statuses are
     * returned for the caller to interpret.
     */
    public RegistryResponse send(Call call, Telemetry telemetry) {
        return withRetries(call.what() + " on " + call.registry(), call.registry(), telemetry, () -> authenticated(call, telemetry));
    }

    private RegistryResponse authenticated(Call call, Telemetry telemetry) throws IOException {
        RegistryResponse response = exchange(call, authorizationFor(call.registry(), call.scope(), telemetry), telemetry);
        if (response.statusCode() == 401) {
            Optional<AuthChallenge> challenge = AuthChallenge.parse(response.header("WWW-Authenticate").orElse(null));
            discard(response);
            if (challenge.isEmpty()) {
                throw new AuthenticationException("registry " + call.registry() + " refused " + call.what()
                        + " (401) without saying how to authenticate");
            }
            challenges.put(call.registry(), challenge.get());
            String authorization = authorize(call.registry(), challenge.get(), call.scope(), telemetry);
            response = exchange(call, authorization, telemetry);
            if (response.statusCode() == 401) {
                discard(response);
                throw new AuthenticationException(rejectedMessage(call.registry(), call.what()));
            }
        }
        if (response.statusCode() == 403) {
            String detail = errorDetail(response);
            throw new AuthenticationException("registry " + call.registry() + " denied " + call.what() + " (403"
                    + detail + "): the credentials lack the permission; check the account's access to this repository");
        }
        return response;
    }

    private String rejectedMessage(String registry, String what) {
        Optional<Credential> credential = credentials.find(registry);
        return credential
                .map(c -> "registry " + registry + " rejected the credentials of '" + c.username() + "' for " + what
                        + " (401): check them with 'docker login " + registry + "'")
                .orElseGet(() -> "registry " + registry + " requires authentication for " + what
                        + " (401): log in with 'docker login " + registry + "' or configure credentials");
    }

    /** What to send before being asked: a cached token for the scope, or Basic for a Basic registry. */
    private String authorizationFor(String registry, String scope, Telemetry telemetry) throws IOException {
        AuthChallenge known = challenges.get(registry);
        if (known == null) {
            return null;
        }
        if (known.isBasic()) {
            return credentials.find(registry).map(RegistryTransport::basic).orElse(null);
        }
        if (known.isBearer()) {
            Token token = tokens.get(registry + " " + scope);
            if (token != null && token.isValid()) {
                return "Bearer " + token.value();
            }
            // the realm is known from an earlier challenge: fetch the token now and save a 401 round trip
            return authorize(registry, known, scope, telemetry);
        }
        return null;
    }

    private String authorize(String registry, AuthChallenge challenge, String scope, Telemetry telemetry) throws IOException {
        Optional<Credential> credential = credentials.find(registry);
        if (challenge.isBasic()) {
            return credential.map(RegistryTransport::basic).orElseThrow(() -> new AuthenticationException(
                    "registry " + registry + " requires authentication (401): log in with 'docker login " + registry
                            + "' or configure credentials"));
        }
        if (!challenge.isBearer()) {
            throw new AuthenticationException("registry " + registry + " asks for unsupported authentication scheme '"
                    + challenge.scheme() + "'");
        }
        String key = registry + " " + scope;
        Token cached = tokens.get(key);
        if (cached != null && cached.isValid()) {
            return "Bearer " + cached.value();
        }
        Token token = fetchToken(registry, challenge, scope, credential, telemetry);
        tokens.put(key, token);
        return "Bearer " + token.value();
    }

    private Token fetchToken(String registry, AuthChallenge challenge, String scope, Optional<Credential> credential,
                             Telemetry telemetry) throws IOException {
        if (challenge.realm().isEmpty()) {
            throw new AuthenticationException("registry " + registry + " sent a Bearer challenge without a realm");
        }
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
        URI realm = URI.create(challenge.realm());
        URI uri;
        String method;
        Map<String, String> headers = new java.util.HashMap<>();
        RequestBody body = null;
        if (credential.isPresent() && credential.get().isIdentityToken()) {
            // Docker's identity tokens are OAuth2 refresh tokens: exchange them with a POST
            String form = query + "&grant_type=refresh_token&client_id=kiln&refresh_token=" + encode(credential.get().secret());
            uri = realm;
            method = "POST";
            body = RequestBody.of(form);
            headers.put("Content-Type", "application/x-www-form-urlencoded");
        } else {
            uri = URI.create(challenge.realm() + (challenge.realm().contains("?") ? "&" : "?") + query);
            method = "GET";
            credential.ifPresent(c -> headers.put("Authorization", basic(c)));
        }
        headers.put("User-Agent", USER_AGENT);
        RequestBody tokenBody = body;
        RegistryResponse response = withRetries("token request to " + realm.getHost(), registry, telemetry, () -> {
            RegistryResponse tokenResponse = wire.send(uri, method, headers, tokenBody);
            telemetry.countRequest();
            return tokenResponse;
        });
        byte[] tokenJson = readSmall(response);
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new AuthenticationException(credential
                    .map(c -> "token server of " + registry + " rejected the credentials of '" + c.username()
                            + "' (" + response.statusCode() + "): check them with 'docker login " + registry + "'")
                    .orElse("token server of " + registry + " refused anonymous access (" + response.statusCode()
                            + "): log in with 'docker login " + registry + "'"));
        }
        if (response.statusCode() != 200) {
            throw new RegistryException("token server of " + registry + " answered " + response.statusCode());
        }
        JsonNode json = ImageJson.tree(tokenJson, "token response from " + realm.getHost());
        String value = json.path("token").asText(json.path("access_token").asText(""));
        if (value.isEmpty()) {
            throw new RegistryException("token server of " + registry + " returned no token");
        }
        long expiresIn = Math.max(60, json.path("expires_in").asLong(60));
        return new Token(value, Instant.now().plusSeconds(expiresIn - 10));
    }

    private RegistryResponse exchange(Call call, String authorization, Telemetry telemetry) throws IOException {
        URI uri = uri(call);
        String authority = uri.getAuthority();
        for (int redirects = 0; ; redirects++) {
            Map<String, String> headers = new java.util.HashMap<>(call.headers());
            headers.put("User-Agent", USER_AGENT);
            if (authorization != null && uri.getAuthority().equals(authority)) {
                headers.put("Authorization", authorization);
            }
            RegistryResponse response;
            try {
                response = wire.send(uri, call.method(), headers,
                        redirects == 0 ? call.body() : null);
                telemetry.countRequest();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted during " + call.what());
            } catch (IOException e) {
                if (redirects == 0 && uri.getScheme().equals("https") && speaksPlainHttp(e) && plainAllowed(call.registry())) {
                    schemes.put(call.registry(), "http");
                    uri = uri(call);
                    authority = uri.getAuthority();
                    redirects--;
                    continue;
                }
                throw e;
            }
            if (redirects == 0 && uri.getScheme().equals("http") && response.statusCode() == 400) {
                byte[] body = readLimited(response, MAX_SMALL_BODY);
                // an answer to HEAD has no body: read the server's explanation with a GET of /v2/
                byte[] explanation = body.length == 0 && call.method().equals("HEAD")
                        ? plainExplanation(uri, telemetry) : body;
                if (new String(explanation, StandardCharsets.UTF_8).contains("HTTP request to an HTTPS server")) {
                    schemes.put(call.registry(), "https");
                    uri = uri(call);
                    authority = uri.getAuthority();
                    redirects--;
                    continue;
                }
                response = new RegistryResponse(400, response.headers(), new java.io.ByteArrayInputStream(body), response.uri());
            }
            int status = response.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            Optional<String> location = response.header("Location");
            if (!redirect || location.isEmpty() || !(call.method().equals("GET") || call.method().equals("HEAD"))) {
                return response;
            }
            discard(response);
            if (redirects >= MAX_REDIRECTS) {
                throw new RegistryException("registry " + call.registry() + " redirected " + call.what() + " more than " + MAX_REDIRECTS + " times");
            }
            uri = uri.resolve(location.get());
        }
    }

    /** The body of a plain {@code GET /v2/} to the authority of {@code uri}, which a TLS-only server answers with 400. */
    private byte[] plainExplanation(URI uri, Telemetry telemetry) throws IOException {
        RegistryResponse probe;
        try {
            probe = wire.send(uri.resolve("/v2/"), "GET", Map.of("User-Agent", USER_AGENT), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted while probing " + uri.getAuthority());
        }
        telemetry.countRequest();
        return probe.statusCode() == 400 ? readLimited(probe, MAX_SMALL_BODY) : discarded(probe);
    }

    private static byte[] discarded(RegistryResponse response) {
        discard(response);
        return new byte[0];
    }

    private URI uri(Call call) {
        if (call.path().startsWith("http://") || call.path().startsWith("https://")) {
            return URI.create(call.path());
        }
        // Loopback registries are mostly plain HTTP: trying that first spares a TLS handshake per
        // process; a TLS-only one answers 400 "HTTP request to an HTTPS server" and is switched over.
        String scheme = schemes.computeIfAbsent(call.registry(), h -> isLoopback(h) ? "http" : "https");
        String relative = call.path().startsWith("/") ? call.path() : "/v2/" + call.path();
        return URI.create(scheme + "://" + apiHost(call.registry()) + relative);
    }

    /** Docker Hub's API lives on another host than its name. */
    static String apiHost(String registry) {
        return registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    }

    /** Plain HTTP is allowed for loopback registries (as Docker does) and those marked insecure. */
    boolean plainAllowed(String registry) {
        return options.isInsecure(registry) || isLoopback(registry);
    }

    static boolean isLoopback(String registry) {
        String host = registry.startsWith("[") ? registry.substring(1, registry.indexOf(']'))
                : registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        return host.equals("localhost") || host.matches("127(\\.[0-9]{1,3}){3}") || host.equals("::1");
    }

    /** A TLS client hello answered by a plain-HTTP server fails before any certificate is seen. */
    private static boolean speaksPlainHttp(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return false;
            }
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface Attempt {
        RegistryResponse run() throws IOException, InterruptedException;
    }

    private RegistryResponse withRetries(String what, String registry, Telemetry telemetry, Attempt attempt) {
        RegistryOptions.RetryPolicy retry = options.retry();
        int maxAttempts = options.failFast().containsKey(registry) ? 1 : retry.maxAttempts();
        for (int n = 1; ; n++) {
            String failure;
            Duration retryAfter = null;
            try {
                RegistryResponse response = attempt.run();
                if (!RETRYABLE.contains(response.statusCode()) || n >= maxAttempts) {
                    return response;
                }
                failure = "HTTP " + response.statusCode();
                retryAfter = retryAfter(response.header("Retry-After").orElse(null));
                discard(response);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted during " + what);
            } catch (SSLHandshakeException e) {
                throw new RegistryUnreachableException("TLS verification failed for registry " + registry + " (" + rootMessage(e)
                        + "): trust its CA with --ca-file, or mark it --insecure-registry " + registry);
            } catch (IOException e) {
                failure = describe(e);
                if (n >= maxAttempts) {
                    throw new RegistryUnreachableException("cannot reach registry " + registry + " for " + what + ": " + failure
                            + " (after " + n + " attempts)", e);
                }
            }
            Duration delay = retry.delayBefore(n, retryAfter);
            telemetry.emit(new KilnEvent.Retrying(what, n + 1, delay, failure));
            sleep(delay, what);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException || e instanceof java.net.SocketTimeoutException) {
            return "timed out";
        }
        return rootMessage(e);
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    private static void sleep(Duration delay, String what) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted while waiting to retry " + what);
        }
    }

    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration until = Duration.between(Instant.now(), when.toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (RuntimeException unparseable) {
                return null;
            }
        }
    }

    /** Reads a body that is small by contract (manifests, tokens, errors), refusing oversized ones. */
    static byte[] readSmall(RegistryResponse response) throws IOException {
        return readLimited(response, MAX_SMALL_BODY);
    }

    static byte[] readLimited(RegistryResponse response, int limit) throws IOException {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new RegistryException("response from " + response.uri().getAuthority() + " exceeds " + limit + " bytes");
            }
            return bytes;
        }
    }

    /** The registry's own error words ({@code {"errors":[{"code","message"}]}}), for messages. */
    static String errorDetail(RegistryResponse response) {
        try {
            byte[] body = readSmall(response);
            JsonNode errors = ImageJson.MAPPER.readTree(body).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                JsonNode first = errors.get(0);
                return ", " + first.path("code").asText("") + ": " + first.path("message").asText("");
            }
        } catch (IOException | RuntimeException ignored) {
            // no usable detail: the status alone will do
        }
        return "";
    }

    static void discard(RegistryResponse response) {
        try (InputStream in = response.body()) {
            in.skip(Long.MAX_VALUE);
        } catch (IOException ignored) {
            // the connection is dropped instead of reused
        }
    }

    private static String basic(Credential credential) {
        String pair = credential.username() + ":" + credential.secret();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private record Token(String value, Instant expires) {
        boolean isValid() {
            return Instant.now().isBefore(expires);
        }

        @Override
        public String toString() {
            return "Token[expires=" + expires + "]";
        }
    }
}
