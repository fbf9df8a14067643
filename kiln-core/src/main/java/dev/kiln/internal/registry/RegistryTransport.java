package dev.kiln.internal.registry;

import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.error.AuthenticationException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.event.Telemetry;

import java.net.URI;
import java.time.Clock;
import java.util.Map;

/**
 * The HTTP layer under {@link RegistryClient}, shared by all operations of a Kiln instance. It is
 * composed here, once, of one {@link Exchange} per concern, each wrapping the next:
 * <pre>
 * {@link Retries} → {@link Authenticator} ({@link BearerTokens}) → {@link Redirects} → {@link SchemeProbe} → {@link Counting} → {@link Wire}
 * </pre>
 * Tokens are fetched through {@link Retries} → {@link Counting} → {@link Wire}. Thread-safe.
 */
public final class RegistryTransport {
    /** Initialises the HTTP client ahead of a short-lived process's first request (see {@link Wire#warmUp()}). */
    public static void warmUp() {
        Wire.warmUp();
    }

    private final RegistryOptions options;
    private final BearerTokens tokens;
    private final Retries calls;

    /** A transport with {@code options} (TLS, timeouts, retries) that authenticates with {@code credentials}. */
    public RegistryTransport(RegistryOptions options, CredentialProvider credentials) {
        this.options = options;
        TlsContexts tls = new TlsContexts(options);
        Wire wire = new Wire(authority -> options.failFast().getOrDefault(authority, options.connectTimeout()),
                authority -> options.failFast().getOrDefault(authority, options.requestTimeout()), tls::forRegistry,
                options::isInsecure);
        Exchange counted = new Counting(wire);
        this.tokens = new BearerTokens(new Retries(options, counted), Clock.systemUTC());
        this.calls = new Retries(options, new Authenticator(credentials, tokens,
                new Redirects(new SchemeProbe(options::isInsecure, counted))));
    }

    /**
     * Notes that {@code operation} (all calls made with this telemetry) will need {@code scope}
     * ({@code repository:NAME:pull}, {@link RegistryClient#pullScope}, {@link RegistryClient#pushScope}) on
     * {@code registry}: the first token it fetches there asks for every scope noted, so that one token
     * round trip serves the whole operation. Call it before the operation's first request.
     */
    public void expect(Telemetry operation, String registry, String scope) {
        tokens.expect(operation, registry, scope);
    }

    /** The options this transport was made with. */
    public RegistryOptions options() {
        return options;
    }

    /**
     * One registry API call. {@code path} is relative to {@code /v2/} or an absolute URL given by
     * the registry (upload locations); {@code body} is re-created for each attempt.
     */
    public record Call(String registry, String method, String path, Map<String, String> headers,
                       RequestBody body, String scope, String what) {
        /** A call without headers or body. */
        public static Call of(String registry, String method, String path, String scope, String what) {
            return new Call(registry, method, path, Map.of(), null, scope, what);
        }

        /** The call with {@code newHeaders} instead of its headers. */
        public Call withHeaders(Map<String, String> newHeaders) {
            return new Call(registry, method, path, newHeaders, body, scope, what);
        }

        /** The call with {@code newBody} instead of its body. */
        public Call withBody(RequestBody newBody) {
            return new Call(registry, method, path, headers, newBody, scope, what);
        }
    }

    /**
     * Sends {@code call}, authenticating and retrying as needed, counting every request in
     * {@code telemetry}. The caller owns the returned body and must close it. 401 and 403 become
     * {@link AuthenticationException}, no answer a {@link RegistryUnreachableException}; other
     * statuses are returned for the caller to interpret.
     */
    public RegistryResponse send(Call call, Telemetry telemetry) {
        return calls.send(new Exchange.Request(call.registry(), call.method(), uri(call), call.headers(), call.body(),
                call.scope(), call.what(), telemetry));
    }

    /** An absolute URL as it is; a path of the registry's API without a scheme, which the {@link SchemeProbe} picks. */
    private static URI uri(Call call) {
        if (call.path().startsWith("http://") || call.path().startsWith("https://")) {
            return URI.create(call.path());
        }
        String relative = call.path().startsWith("/") ? call.path() : "/v2/" + call.path();
        return URI.create("//" + apiHost(call.registry()) + relative);
    }

    /** Docker Hub's API lives on another host than its name. */
    static String apiHost(String registry) {
        return registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    }
}
