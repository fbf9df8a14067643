package dev.kiln.api;

import dev.kiln.internal.build.BuildRunner;
import dev.kiln.internal.build.StoreLimit;
import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.internal.credentials.DockerConfigCredentials;
import dev.kiln.internal.credentials.StaticCredentials;
import dev.kiln.internal.daemon.DaemonLevel;
import dev.kiln.internal.resolve.DaemonSource;
import dev.kiln.internal.daemon.DockerDaemon;
import dev.kiln.event.KilnListener;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Digest;
import dev.kiln.internal.registry.RegistryOptions;
import dev.kiln.internal.registry.RegistryClient;
import dev.kiln.internal.registry.RegistryTransport;
import dev.kiln.internal.resolve.RegistryRules;
import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.LocalStore;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parts one {@link Kiln} wires together from its {@link Settings}: the store, the registry
 * transport, the resolver, the build runner and the store operations, sharing one transfer pool.
 */
final class Engine implements AutoCloseable {
    private static final Duration BACKGROUND_GRACE = Duration.ofSeconds(30);
    final LocalStore store;
    final Resolver resolver;
    final BuildRunner runner;
    final BuildPlans plans;
    final StoreOperations storeOperations;
    final StoreLimit storeLimit;
    /** How to reach registries (TLS, timeouts, retries), for transports with other credentials than the engine's. */
    private final RegistryOptions registryOptions;
    private final ExecutorService transfers;
    private final String daemonHost;
    private DockerDaemon daemon;

    Engine(Settings settings) {
        Digest.warmUpSha256();
        this.store = LocalStore.open(settings.cacheDir.resolve("store"), settings.listener, !settings.existingStoreOnly);
        CredentialProvider credentials = CredentialProvider.firstOf(StaticCredentials.of(settings.credentials),
                CredentialProvider.byPattern(settings.credentialSources),
                settings.dockerConfig != null ? DockerConfigCredentials.fromFile(settings.dockerConfig)
                        : DockerConfigCredentials.fromEnvironment());
        RegistryOptions options = RegistryOptions.defaults()
                .withInsecureRegistries(settings.insecureRegistries)
                .withCaFiles(settings.caFiles)
                .withFailFast(settings.mirrorTimeouts());
        if (settings.retry != null) {
            options = options.withRetry(settings.retry);
        }
        if (settings.uploadChunkSize > 0) {
            options = options.withUploadChunkSize(settings.uploadChunkSize);
        }
        if (settings.readTimeout != null) {
            options = options.withTimeouts(settings.connectTimeout, settings.readTimeout);
        }
        this.registryOptions = options;
        AtomicInteger threads = new AtomicInteger();
        this.transfers = Executors.newFixedThreadPool(settings.parallelism, runnable -> {
            Thread thread = new Thread(runnable, "kiln-transfer-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        RegistryTransport transport = new RegistryTransport(options, credentials);
        this.daemonHost = settings.daemonHost;
        RegistryRules rules = new RegistryRules(settings.rules);
        this.resolver = new Resolver(store, transport, transfers, settings.clock, settings.listener, rules,
                settings.daemonLevel ? DaemonSource.of(new DaemonLevel(this::daemon, store)) : null);
        this.storeLimit = new StoreLimit(store, settings.storeLimit, settings.clock);
        this.runner = new BuildRunner(store, resolver, transport, transfers, this::daemon, storeLimit, settings.clock);
        this.plans = new BuildPlans(rules);
        this.storeOperations = new StoreOperations(store, resolver, settings.listener, settings.clock, storeLimit);
    }

    /** The Docker engine (a cache level, a destination), connected on first use. */
    private synchronized DockerDaemon daemon() {
        if (daemon == null) {
            daemon = DockerDaemon.connect(daemonHost);
        }
        return daemon;
    }

    /** See {@link Kiln#checkCredential}: a transport of its own, holding only {@code credential}. */
    void checkCredential(String registry, RegistryCredential credential, KilnListener listener) {
        String host = DockerCredentialStore.registryHost(registry);
        RegistryTransport transport = new RegistryTransport(registryOptions, StaticCredentials.of(host, credential.toCredential()));
        Telemetry telemetry = new Telemetry(listener);
        telemetry.step("login", host, () -> {
            new RegistryClient(transport, telemetry).checkAccess(host);
            return host;
        }, h -> "credentials of '" + credential.username() + "' accepted");
    }

    /** Lets background checks (stale-while-revalidate) finish, for up to 30 s, then stops. */
    @Override
    public void close() {
        resolver.awaitBackground(BACKGROUND_GRACE);
        transfers.shutdownNow();
        synchronized (this) {
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}
