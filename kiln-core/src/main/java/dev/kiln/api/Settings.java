package dev.kiln.api;

import dev.kiln.internal.credentials.Credential;
import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.KilnListener;
import dev.kiln.image.HostPattern;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.RegistryOptions;
import dev.kiln.internal.resolve.Mirror;
import dev.kiln.internal.resolve.RegistryRules;
import dev.kiln.internal.store.StoreCollector;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** What a {@link KilnBuilder} collects, checked as it is set; {@link Engine} wires a Kiln from it. */
final class Settings {
    Path cacheDir = Kiln.defaultCacheDir();
    final Set<String> insecureRegistries = new HashSet<>();
    final Map<String, Path> caFiles = new HashMap<>();
    final Map<String, Credential> credentials = new HashMap<>();
    Path dockerConfig;
    KilnListener listener = KilnListener.NONE;
    int parallelism = 8;
    RegistryOptions.RetryPolicy retry;
    Clock clock = Clock.systemUTC();
    long uploadChunkSize;
    /** The store's size limit as the cleaning it triggers: down to the low watermark; {@code null}: none. */
    StoreCollector.PruneOptions storeLimit;
    /** Open only a store that exists (commands that look after a store); else one is created. */
    boolean existingStoreOnly;
    final Map<HostPattern, RegistryRules.Rule> rules = new LinkedHashMap<>();
    final Map<HostPattern, CredentialProvider> credentialSources = new LinkedHashMap<>();
    private final Map<String, Duration> mirrorTimeouts = new HashMap<>();
    Duration mirrorTimeout = Duration.ofSeconds(5);
    boolean daemonLevel;
    String daemonHost;
    Duration connectTimeout;
    Duration readTimeout;

    /** A mirror of {@code registry}: {@code host[:port]} or a URL ({@code http://} allows plain HTTP to it). */
    void mirror(String registry, String mirror, boolean resolve, Duration timeout) {
        String host = mirror.strip();
        if (host.startsWith("http://")) {
            host = host.substring("http://".length());
            insecureRegistries.add(stripPath(host));
        } else if (host.startsWith("https://")) {
            host = host.substring("https://".length());
        }
        Mirror level = new Mirror(stripPath(host), resolve);
        rule(registry, rule -> rule.withMirror(level));
        if (timeout != null) {
            mirrorTimeouts.put(level.host(), requirePositive(timeout, "mirror timeout"));
        }
    }

    void rule(String registry, UnaryOperator<RegistryRules.Rule> change) {
        rules.compute(registryPattern(registry), (pattern, had) -> change.apply(had == null ? RegistryRules.Rule.EMPTY : had));
    }

    /** Every mirror's timeout: its own, else the default. */
    Map<String, Duration> mirrorTimeouts() {
        Map<String, Duration> timeouts = new HashMap<>();
        rules.values().forEach(rule -> rule.mirrors().forEach(
                mirror -> timeouts.put(mirror.host(), mirrorTimeouts.getOrDefault(mirror.host(), mirrorTimeout))));
        return timeouts;
    }

    void storeLimit(long maxSize, long lowWatermark) {
        if (maxSize < 1 || lowWatermark < 0 || lowWatermark > maxSize) {
            throw new InvalidInputException("store limit: need 0 <= low watermark <= maximum size, and a positive maximum");
        }
        this.storeLimit = new StoreCollector.PruneOptions(maxSize, lowWatermark, null, null, false, null);
    }

    /** {@code registry} as a rule's key: a glob as given, a host as references name it ({@code docker.io}). */
    static HostPattern registryPattern(String registry) {
        HostPattern pattern = HostPattern.of(registry);
        return pattern.isGlob() ? pattern : HostPattern.of(Reference.parse(pattern.pattern() + "/x").registry());
    }

    static Duration requirePositive(Duration duration, String what) {
        if (duration.isNegative() || duration.isZero()) {
            throw new InvalidInputException(what + " must be positive");
        }
        return duration;
    }

    static long requireAtLeast(long value, long minimum, String message) {
        if (value < minimum) {
            throw new InvalidInputException(message);
        }
        return value;
    }

    private static String stripPath(String host) {
        int slash = host.indexOf('/');
        return slash < 0 ? host : host.substring(0, slash);
    }
}
