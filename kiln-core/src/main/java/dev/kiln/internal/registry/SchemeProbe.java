package dev.kiln.internal.registry;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Chooses HTTP or HTTPS per registry for requests to its API (URIs without a scheme), and remembers
 * the choice. Loopback registries are tried over plain HTTP first — most are, and it spares a TLS
 * handshake per process — and switched to HTTPS when they answer 400 "HTTP request to an HTTPS
 * server"; other registries use HTTPS, and fall back to plain HTTP only where that is allowed
 * (loopback, or marked insecure) and the server answered the TLS hello in plain text. URIs with a
 * scheme (redirect targets, upload locations, token realms) are sent as they are.
 */
final class SchemeProbe implements Exchange {
    private static final String TLS_EXPECTED = "HTTP request to an HTTPS server";

    private final Predicate<String> insecure;
    private final Exchange next;
    private final Map<String, String> schemes = new ConcurrentHashMap<>();

    /** {@code insecure}: whether a registry was marked insecure (plain HTTP allowed). */
    SchemeProbe(Predicate<String> insecure, Exchange next) {
        this.insecure = insecure;
        this.next = next;
    }

    @Override
    public RegistryResponse send(Request request) throws IOException {
        if (request.uri().getScheme() != null) {
            return next.send(request);
        }
        String registry = request.registry();
        String scheme = schemes.computeIfAbsent(registry, r -> isLoopback(r) ? "http" : "https");
        RegistryResponse response;
        try {
            response = next.send(request.withUri(withScheme(request.uri(), scheme)));
        } catch (IOException e) {
            if (scheme.equals("https") && speaksPlainHttp(e) && plainAllowed(registry)) {
                return switchTo("http", request);
            }
            throw e;
        }
        if (scheme.equals("http") && response.statusCode() == 400) {
            byte[] body = Bodies.readSmall(response);
            // an answer to HEAD has no body: read the server's explanation with a GET of /v2/
            byte[] explanation = body.length == 0 && request.method().equals("HEAD") ? explanation(request, response.uri()) : body;
            if (new String(explanation, StandardCharsets.UTF_8).contains(TLS_EXPECTED)) {
                return switchTo("https", request);
            }
            return new RegistryResponse(400, response.headers(), new ByteArrayInputStream(body), response.uri());
        }
        return response;
    }

    /** Remembers {@code scheme} for the registry and sends the request once more with it, without probing again. */
    private RegistryResponse switchTo(String scheme, Request request) throws IOException {
        schemes.put(request.registry(), scheme);
        return next.send(request.withUri(withScheme(request.uri(), scheme)));
    }

    /** The body of a plain {@code GET /v2/} to the authority of {@code uri}, which a TLS-only server answers with 400. */
    private byte[] explanation(Request request, URI uri) throws IOException {
        RegistryResponse probe = next.send(new Request(request.registry(), "GET", uri.resolve("/v2/"), Map.of(), null,
                null, "probe of " + uri.getAuthority(), request.telemetry()));
        if (probe.statusCode() == 400) {
            return Bodies.readSmall(probe);
        }
        Bodies.discard(probe);
        return new byte[0];
    }

    private static URI withScheme(URI uri, String scheme) {
        return URI.create(scheme + ":" + uri.getRawSchemeSpecificPart());
    }

    /** Plain HTTP is allowed for loopback registries (as Docker does) and those marked insecure. */
    boolean plainAllowed(String registry) {
        return insecure.test(registry) || isLoopback(registry);
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
}
