package dev.kiln.internal.credentials;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A fixed map from registry host to credential, for the Java API (credentials the embedding
 * application already holds) and for tests. Hosts are canonicalised like Docker config keys, so
 * {@code https://index.docker.io/v1/} and {@code docker.io} are the same entry.
 */
public final class StaticCredentials implements CredentialProvider {
    private final Map<String, Credential> byHost;

    private StaticCredentials(Map<String, Credential> byHost) {
        this.byHost = byHost;
    }

    /**
     * @throws IllegalArgumentException if two keys name the same registry
     */
    public static StaticCredentials of(Map<String, Credential> credentials) {
        Map<String, Credential> byHost = new LinkedHashMap<>();
        credentials.forEach(
                (host, credential) -> {
                    Objects.requireNonNull(credential, "credential for " + host);
                    String key = RegistryHosts.requireHost(host);
                    if (byHost.putIfAbsent(key, credential) != null) {
                        throw new IllegalArgumentException("two credentials for registry " + key);
                    }
                });
        return new StaticCredentials(Map.copyOf(byHost));
    }

    /** One registry's credential. */
    public static StaticCredentials of(String registryHost, Credential credential) {
        return of(Map.of(registryHost, credential));
    }

    @Override
    public Optional<Credential> find(String registryHost) {
        return Optional.ofNullable(byHost.get(RegistryHosts.requireHost(registryHost)));
    }

    /** Lists the hosts, which is all a log needs; credentials mask themselves anyway. */
    @Override
    public String toString() {
        return "StaticCredentials" + new TreeSet<>(byHost.keySet());
    }
}
