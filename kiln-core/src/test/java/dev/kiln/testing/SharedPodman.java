package dev.kiln.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Podman API service (the tests' Docker daemon) for a whole test class:
 * {@code @RegisterExtension static final SharedPodman PODMAN = new SharedPodman();}
 */
public final class SharedPodman implements BeforeAllCallback, AfterAllCallback {
    private PodmanService service;

    @Override
    public void beforeAll(ExtensionContext context) {
        service = PodmanService.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (service != null) {
            service.close();
        }
    }

    public PodmanService service() {
        return service;
    }
}
