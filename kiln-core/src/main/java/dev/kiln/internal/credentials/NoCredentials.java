package dev.kiln.internal.credentials;

import java.util.Objects;
import java.util.Optional;

/** {@link CredentialProvider#none()}. */
enum NoCredentials implements CredentialProvider {
    INSTANCE;

    @Override
    public Optional<Credential> find(String registryHost) {
        Objects.requireNonNull(registryHost, "registryHost");
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "CredentialProvider.none()";
    }
}
