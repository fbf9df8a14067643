package dev.kiln.internal.resolve;

import dev.kiln.error.InvalidInputException;

/**
 * A registry that serves the content of another one (a pull-through cache, a company mirror),
 * tried before it. Like containerd's host capabilities: a mirror may be trusted to resolve tags
 * ({@code resolve}), or only to serve content by digest, which is verified either way.
 *
 * @param host {@code host[:port]} of the mirror
 */
public record Mirror(String host, boolean resolve) {
    public Mirror {
        if (host == null || host.isBlank() || host.contains("/")) {
            throw new InvalidInputException("invalid mirror '" + host + "': expected host[:port]");
        }
    }
}
