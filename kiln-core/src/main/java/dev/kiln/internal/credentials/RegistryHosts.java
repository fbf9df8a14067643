package dev.kiln.internal.credentials;

import java.util.Locale;
import java.util.Objects;

/**
 * Maps the many spellings of a registry in credential stores onto Kiln's canonical host. Docker
 * configs carry keys written by many tools and eras: {@code https://index.docker.io/v1/}, {@code
 * http://localhost:5000}, {@code ghcr.io/some/path}, {@code registry-1.docker.io}.
 */
public final class RegistryHosts {
    /** Kiln's name for Docker Hub. */
    static final String DOCKER_HUB = "docker.io";

    /** What the Docker CLI hands credential helpers for Docker Hub, for historical reasons. */
    static final String DOCKER_HUB_SERVER_URL = "https://index.docker.io/v1/";

    private RegistryHosts() {}

    /**
     * The canonical host for a config key, URL or host: scheme and path dropped, lower-cased, and
     * Docker Hub's aliases folded into {@code docker.io}. Ports and IPv6 brackets are kept.
     */
    public static String canonical(String keyOrUrl) {
        Objects.requireNonNull(keyOrUrl, "registry");
        String host = keyOrUrl.trim();
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int path = host.indexOf('/');
        if (path >= 0) {
            host = host.substring(0, path);
        }
        host = host.toLowerCase(Locale.ROOT);
        switch (host) {
            case "index.docker.io":
            case "registry-1.docker.io":
                return DOCKER_HUB;
            default:
                return host;
        }
    }

    /** {@link #canonical} for a caller-supplied host, which must name something. */
    static String requireHost(String registryHost) {
        String host = canonical(registryHost);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("registry host is empty: '" + registryHost + "'");
        }
        return host;
    }

    /** The server URL a credential helper expects for a canonical host, as the Docker CLI sends it. */
    static String helperServerUrl(String canonicalHost) {
        return DOCKER_HUB.equals(canonicalHost) ? DOCKER_HUB_SERVER_URL : canonicalHost;
    }
}
