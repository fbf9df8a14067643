package dev.kiln.internal.credentials;

import dev.kiln.image.HostPattern;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A source of registry credentials, asked once per registry the build talks to. Kiln goes
 * anonymous when no provider has a credential; a provider that fails to look (a broken credential
 * helper, an unreadable config) throws {@link dev.kiln.error.CredentialException} instead of
 * pretending it has nothing, so that a misconfiguration is not mistaken for "public image".
 */
@FunctionalInterface
public interface CredentialProvider {

    /**
     * The credential for a registry, if this source has one.
     *
     * @param registryHost the canonical registry host as Kiln names it: {@code docker.io}, {@code
     *     ghcr.io}, {@code 127.0.0.1:5000}, {@code [::1]:5000}
     * @throws dev.kiln.error.CredentialException if the source could not be read
     */
    Optional<Credential> find(String registryHost);

    /** Asks this provider first and {@code next} only when this one has nothing. */
    default CredentialProvider orElse(CredentialProvider next) {
        return firstOf(this, next);
    }

    /** No credentials for any registry: everything is pulled anonymously. */
    static CredentialProvider none() {
        return NoCredentials.INSTANCE;
    }

    /**
     * Asks the providers in order; the first credential found wins and later providers are not
     * asked. A failure of an earlier provider propagates rather than falling through.
     */
    static CredentialProvider firstOf(CredentialProvider... providers) {
        return new FirstOf(List.of(providers));
    }

    /** Like {@link #firstOf(CredentialProvider...)}, for a list built at runtime. */
    static CredentialProvider firstOf(List<? extends CredentialProvider> providers) {
        return new FirstOf(List.copyOf(providers));
    }

    /**
     * For each registry, the source of the most specific matching pattern (an exact host before a
     * glob such as {@code *.example.com}); nothing for a registry no pattern matches.
     */
    static CredentialProvider byPattern(Map<HostPattern, CredentialProvider> sources) {
        Map<HostPattern, CredentialProvider> bySpecificity = Map.copyOf(sources);
        return host -> HostPattern.best(bySpecificity, RegistryHosts.requireHost(host)).flatMap(source -> source.find(host));
    }

    /** The Docker credential helper {@code docker-credential-NAME}, looked up on the PATH when first asked. */
    static CredentialProvider helper(String name) {
        return host -> CredentialHelper.locate(name, CredentialHelper.searchPath(System.getenv("PATH")),
                DockerConfigCredentials.DEFAULT_HELPER_TIMEOUT, "credential helper for " + host).get(RegistryHosts.requireHost(host));
    }
}
