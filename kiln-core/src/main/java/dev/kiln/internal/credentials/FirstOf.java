package dev.kiln.internal.credentials;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link CredentialProvider#firstOf}: the first provider with a credential wins. */
final class FirstOf implements CredentialProvider {
    private final List<CredentialProvider> providers;

    FirstOf(List<? extends CredentialProvider> providers) {
        this.providers = List.copyOf(providers); // rejects null elements
    }

    @Override
    public Optional<Credential> find(String registryHost) {
        Objects.requireNonNull(registryHost, "registryHost");
        for (CredentialProvider provider : providers) {
            Optional<Credential> found = provider.find(registryHost);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "CredentialProvider.firstOf" + providers;
    }
}
