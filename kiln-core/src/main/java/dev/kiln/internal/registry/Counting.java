package dev.kiln.internal.registry;

import java.io.IOException;

/**
 * Counts every request that got an answer in the operation's {@link dev.kiln.event.Telemetry}:
 * retries, redirects, probes and token requests included, so the count equals what the server saw.
 */
final class Counting implements Exchange {
    private final Exchange next;

    Counting(Exchange next) {
        this.next = next;
    }

    @Override
    public RegistryResponse send(Request request) throws IOException {
        RegistryResponse response = next.send(request);
        request.telemetry().countRequest();
        return response;
    }
}
