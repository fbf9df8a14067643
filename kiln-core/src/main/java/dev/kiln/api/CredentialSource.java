package dev.kiln.api;

import dev.kiln.internal.credentials.CredentialProvider;

import java.util.Optional;

/**
 * Where Kiln gets the credentials for a registry, asked once per registry an operation talks to (see
 * {@link KilnBuilder#credentials(String, CredentialSource)}). A source that has none for the registry
 * returns empty (Kiln then asks the next source, and finally goes anonymous); a source that cannot look
 * (a broken helper, an unreadable file) throws {@link dev.kiln.error.CredentialException} rather than
 * pretend it has nothing, so that a misconfiguration is never mistaken for a public image.
 */
@FunctionalInterface
public interface CredentialSource {
    /**
     * The credential for {@code registryHost} as Kiln names registries ({@code docker.io}, {@code
     * ghcr.io}, {@code 127.0.0.1:5000}), if this source has one.
     */
    Optional<RegistryCredential> find(String registryHost);

    /** The Docker credential helper {@code docker-credential-NAME}, looked up on the {@code PATH} when first asked. */
    static CredentialSource dockerHelper(String name) {
        CredentialProvider helper = CredentialProvider.helper(name);
        return host -> helper.find(host).map(c -> new RegistryCredential(c.username(), c.secret(), c.isIdentityToken()));
    }
}
