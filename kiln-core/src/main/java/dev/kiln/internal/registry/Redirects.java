package dev.kiln.internal.registry;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * Follows redirects of GET and HEAD (blob downloads go to blob storage this way), at most
 * {@value #MAX_REDIRECTS} of them. Credentials go only to the host they were meant for: a hop to
 * another authority is sent without {@code Authorization}, a hop back to the first one with it.
 */
final class Redirects implements Exchange {
    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final Exchange next;

    Redirects(Exchange next) {
        this.next = next;
    }

    @Override
    public RegistryResponse send(Request request) throws IOException {
        boolean followed = request.method().equals("GET") || request.method().equals("HEAD");
        String authority = request.uri().getAuthority();
        String authorization = request.headers().get("Authorization");
        Request hop = request;
        for (int redirects = 0; ; redirects++) {
            RegistryResponse response = next.send(hop);
            Optional<String> location = response.header("Location");
            if (!REDIRECTS.contains(response.statusCode()) || location.isEmpty() || !followed) {
                return response;
            }
            Bodies.discard(response);
            if (redirects >= MAX_REDIRECTS) {
                throw RegistryErrors.answered("registry " + request.registry() + " redirected " + request.what() + " more than "
                        + MAX_REDIRECTS + " times", request.registry(), response.statusCode(), null);
            }
            // resolved against the URI actually sent: the scheme was chosen below this layer
            URI target = response.uri().resolve(location.get());
            hop = request.redirectedTo(target)
                    .withHeader("Authorization", target.getAuthority().equals(authority) ? authorization : null);
        }
    }
}
