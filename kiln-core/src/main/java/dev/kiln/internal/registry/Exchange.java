package dev.kiln.internal.registry;

import dev.kiln.error.KilnException;
import dev.kiln.event.Telemetry;

import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One HTTP exchange: a request in, a response out. Every concern of the {@link RegistryTransport} is
 * one of these wrapping the next (as go-containerregistry's {@code RoundTripper}s do): retries around
 * authentication around redirects around scheme probing around counting around the {@link Wire}.
 * The caller owns the returned body.
 */
@FunctionalInterface
interface Exchange {
    RegistryResponse send(Request request) throws IOException;

    /**
     * What one exchange sends, and for whom.
     *
     * @param registry  the registry ({@code host[:port]}) the call is for: credentials, scheme and
     *                  messages are chosen by it even when {@code uri} points elsewhere (a token server)
     * @param uri       where to send it; without a scheme ({@code //host/v2/…}) when it is a path of the
     *                  registry's API, whose scheme the {@link SchemeProbe} chooses
     * @param body      re-opened for each attempt; null for none
     * @param scope     the token scope the call needs ({@code repository:NAME:pull}), or null
     * @param what      what the call does, for messages ({@code manifest GET …})
     * @param telemetry the operation's counters and event sink
     */
    record Request(String registry, String method, URI uri, Map<String, String> headers, RequestBody body,
                   String scope, String what, Telemetry telemetry) {
        public Request {
            headers = Map.copyOf(headers);
        }

        Request withUri(URI newUri) {
            return new Request(registry, method, newUri, headers, body, scope, what, telemetry);
        }

        /** The request with {@code name} set to {@code value}, or removed when {@code value} is null. */
        Request withHeader(String name, String value) {
            Map<String, String> changed = new HashMap<>(headers);
            if (value == null) {
                changed.remove(name);
            } else {
                changed.put(name, value);
            }
            return new Request(registry, method, uri, changed, body, scope, what, telemetry);
        }

        /** The same request to another URI, as a redirect asks: no body (only GET and HEAD are followed). */
        Request redirectedTo(URI target) {
            return new Request(registry, method, target, headers, null, scope, what, telemetry);
        }
    }

    /** The one way an interrupted exchange ends: the flag is set again and the operation stops. */
    static KilnException interrupted(String what) {
        Thread.currentThread().interrupt();
        return new KilnException("interrupted during " + what);
    }
}
