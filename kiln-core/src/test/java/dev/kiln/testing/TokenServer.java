package dev.kiln.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal Docker token-auth server on a free loopback port (the "realm" of a registry with
 * {@code auth.token}; see https://distribution.github.io/distribution/spec/auth/token/).
 *
 * <p>{@code GET /token?service=...&scope=repository:NAME:pull,push[&scope=...]} answers
 * {@code {"token", "access_token", "expires_in", "issued_at"}} with an RS256 JWT whose {@code x5c}
 * header carries the certificate the registry trusts. Requests with the right Basic credentials get
 * every action they asked for; anonymous requests get a valid token granting nothing (so the registry
 * answers 401 when it is used on a repository); wrong credentials get 401.
 */
public final class TokenServer implements AutoCloseable {

    /** The registry's {@code auth.token.service}: the token audience. */
    public static final String SERVICE = "kiln-test-registry";
    /** The registry's {@code auth.token.issuer}. */
    public static final String ISSUER = "kiln-test-token-server";
    public static final int EXPIRES_IN_SECONDS = 300;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String username;
    private final String password;
    private final SigningKey key = SigningKey.get();
    private final HttpServer server;
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final List<String> requestedScopes = new CopyOnWriteArrayList<>();

    private TokenServer(String username, String password) throws IOException {
        this.username = username;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    /** Starts a token server granting access to {@code username}/{@code password}. */
    public static TokenServer start(String username, String password) {
        try {
            return new TokenServer(username, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL to put in the registry's {@code auth.token.realm}. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The PEM certificate to put in the registry's {@code auth.token.rootcertbundle}. */
    public String rootCertificatePem() {
        return key.certificatePem();
    }

    /** How many token requests (good, anonymous or rejected) this server has answered. */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** Every {@code scope} asked for, in order, e.g. {@code repository:test/app:pull,push}. */
    public List<String> requestedScopes() {
        return List.copyOf(requestedScopes);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            tokenRequests.incrementAndGet();
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                respond(exchange, 405, error("UNSUPPORTED", "only GET is supported"));
                return;
            }
            List<String> scopes = scopes(exchange.getRequestURI().getRawQuery());
            requestedScopes.addAll(scopes);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String subject = null;
            if (authorization != null) {
                if (!authenticates(authorization)) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + ISSUER + "\"");
                    respond(exchange, 401, error("UNAUTHORIZED", "invalid credentials"));
                    return;
                }
                subject = username;
            }
            Instant now = Instant.now();
            String token = jwt(subject, scopes, now);
            ObjectNode body = JSON.createObjectNode()
                    .put("token", token)
                    .put("access_token", token)
                    .put("expires_in", EXPIRES_IN_SECONDS)
                    .put("issued_at", now.toString());
            respond(exchange, 200, body);
        }
    }

    /** A signed token; {@code subject == null} means anonymous, which is granted no action at all. */
    private String jwt(String subject, List<String> scopes, Instant now) throws IOException {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(key.certificateBase64());
        long seconds = now.getEpochSecond();
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER)
                .put("sub", subject == null ? "" : subject)
                .put("aud", SERVICE)
                .put("exp", seconds + EXPIRES_IN_SECONDS)
                .put("nbf", seconds)
                .put("iat", seconds)
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        if (subject != null) {
            for (String scope : scopes) {
                // type:name:actions, where the name itself may contain ':' (e.g. a registry host:port)
                int first = scope.indexOf(':');
                int last = scope.lastIndexOf(':');
                if (first < 0 || last == first) {
                    continue;
                }
                ObjectNode grant = access.addObject()
                        .put("type", scope.substring(0, first))
                        .put("name", scope.substring(first + 1, last));
                ArrayNode actions = grant.putArray("actions");
                for (String action : scope.substring(last + 1).split(",")) {
                    if (!action.isEmpty()) {
                        actions.add(action);
                    }
                }
            }
        }
        String signingInput = base64Url(JSON.writeValueAsBytes(header))
                + "." + base64Url(JSON.writeValueAsBytes(claims));
        return signingInput + "." + base64Url(key.signRs256(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    /** All {@code scope} parameters; one parameter may also hold several space-separated scopes. */
    private static List<String> scopes(String rawQuery) {
        List<String> scopes = new ArrayList<>();
        if (rawQuery == null) {
            return scopes;
        }
        for (String parameter : rawQuery.split("&")) {
            int eq = parameter.indexOf('=');
            if (eq > 0 && URLDecoder.decode(parameter.substring(0, eq), StandardCharsets.UTF_8).equals("scope")) {
                for (String scope : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8).split(" ")) {
                    if (!scope.isBlank()) {
                        scopes.add(scope);
                    }
                }
            }
        }
        return scopes;
    }

    private boolean authenticates(String authorization) {
        String[] schemeAndCredentials = authorization.strip().split("\\s+", 2);
        if (schemeAndCredentials.length != 2 || !schemeAndCredentials[0].equalsIgnoreCase("Basic")) {
            return false;
        }
        try {
            byte[] credentials = Base64.getDecoder().decode(schemeAndCredentials[1]);
            return new String(credentials, StandardCharsets.UTF_8).equals(username + ":" + password);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    /** The {@code Authorization} header value of HTTP Basic authentication. */
    static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("errors").addObject().put("code", code).put("message", message);
        return body;
    }

    private static void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
