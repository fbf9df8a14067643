package dev.kiln.credentials;

import java.util.List;
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
}
