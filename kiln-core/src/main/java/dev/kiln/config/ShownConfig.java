package dev.kiln.config;

import dev.kiln.api.Units;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The configuration as {@code kiln config show} and the service's {@code GET /api/v1/config} show it: the
 * file's tree of keys, with secrets redacted and sizes and durations written so that reading them back
 * loses nothing.
 */
final class ShownConfig {
    static final String REDACTED = "<redacted>";

    private ShownConfig() {
    }

    /** The configuration as the file's tree of keys, secrets redacted, without the sources. */
    static Map<String, Object> redacted(KilnConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (config.store() != null) {
            Map<String, Object> store = new LinkedHashMap<>();
            put(store, "dir", config.store().dir());
            put(store, "maxSize", exactSize(config.store().maxSize()));
            put(store, "lowWatermark", exactSize(config.store().lowWatermark()));
            root.put("store", store);
        }
        if (!config.registries().isEmpty()) {
            Map<String, Object> registries = new LinkedHashMap<>();
            config.registries().forEach((pattern, r) -> {
                Map<String, Object> registry = new LinkedHashMap<>();
                put(registry, "policy", r.policy() == null ? null : r.policy().cliName());
                put(registry, "maxAge", Units.formatDuration(r.maxAge()));
                put(registry, "maxStale", Units.formatDuration(r.maxStale()));
                put(registry, "staleIfError", r.staleIfError());
                if (!r.mirrors().isEmpty()) {
                    registry.put("mirrors", r.mirrors().stream().map(m -> {
                        Map<String, Object> mirror = new LinkedHashMap<>();
                        mirror.put("url", m.url());
                        mirror.put("resolve", m.resolve());
                        put(mirror, "timeout", Units.formatDuration(m.timeout()));
                        return mirror;
                    }).toList());
                }
                put(registry, "insecure", r.insecure());
                put(registry, "caFile", r.caFile());
                if (r.credentials() != null) {
                    KilnConfig.Credentials c = r.credentials();
                    Map<String, Object> credentials = new LinkedHashMap<>();
                    put(credentials, "username", c.username());
                    put(credentials, "password", c.password() == null ? null : REDACTED);
                    put(credentials, "passwordEnv", c.passwordEnv());
                    put(credentials, "passwordFile", c.passwordFile());
                    put(credentials, "helper", c.helper());
                    registry.put("credentials", credentials);
                }
                registries.put(pattern, registry);
            });
            root.put("registries", registries);
        }
        if (config.daemon() != null) {
            Map<String, Object> daemon = new LinkedHashMap<>();
            put(daemon, "enabled", config.daemon().enabled());
            put(daemon, "host", config.daemon().host());
            root.put("daemon", daemon);
        }
        if (config.server() != null) {
            root.put("server", ServerSection.redacted(config.server()));
        }
        return root;
    }

    static void putNonEmpty(Map<String, Object> map, String key, Map<String, Object> value) {
        if (!value.isEmpty()) {
            map.put(key, value);
        }
    }

    /**
     * Puts {@code section}'s keys, as {@code keys} writes them, under {@code key}: nothing when the
     * section is absent or has no key set.
     */
    static <T> void putSection(Map<String, Object> map, String key, T section, BiConsumer<Map<String, Object>, T> keys) {
        if (section != null) {
            Map<String, Object> values = new LinkedHashMap<>();
            keys.accept(values, section);
            putNonEmpty(map, key, values);
        }
    }

    /** The largest unit that divides the size exactly, so that showing and reading back loses nothing. */
    static String exactSize(Long bytes) {
        if (bytes == null) {
            return null;
        }
        String[] units = {"TiB", "TB", "GiB", "GB", "MiB", "MB", "KiB", "KB"};
        long[] sizes = {1L << 40, 1_000_000_000_000L, 1L << 30, 1_000_000_000L, 1L << 20, 1_000_000L, 1L << 10, 1000L};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= sizes[i] && bytes % sizes[i] == 0) {
                return bytes / sizes[i] + units[i];
            }
        }
        return bytes + "B";
    }

    static void put(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value instanceof Path ? value.toString() : value);
        }
    }
}
