package dev.kiln.config;

import dev.kiln.api.Units;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The {@code server:} section of the configuration: its redacted view, and its environment overrides
 * {@code KILN_SERVER_PORT}, {@code _BIND}, {@code _BUILDS_CONCURRENCY}, {@code _BUILDS_QUEUE}, {@code _UPLOADS_MAX_BYTES},
 * {@code _HISTORY_KEEP_DAYS}, {@code _HISTORY_KEEP_BUILDS}, {@code _DATABASE_URL}, {@code _DATABASE_USER},
 * {@code _DATABASE_PASSWORD_ENV}, {@code _SCHEDULE_REFRESH}, {@code _SCHEDULE_OUTDATED}, {@code _SCHEDULE_PRUNE},
 * {@code _AUTO_REBASE} and {@code _NOTIFY_WEBHOOK}.
 */
final class ServerSection {
    private ServerSection() {
    }

    /** {@code KILN_SERVER_*} over the file's {@code server:} section; {@code null} when neither says anything. */
    static KilnConfig.Server withEnvironment(KilnConfig.Server file, Map<String, String> env, List<String> sources) {
        KilnConfig.Server s = file != null ? file : new KilnConfig.Server(null, null, null, null, null, null, null, null, null, null);
        Integer port = ConfigLoader.envValue(env, "KILN_SERVER_PORT", ConfigLoader::integer, sources);
        String bind = ConfigLoader.envValue(env, "KILN_SERVER_BIND", Function.identity(), sources);
        Integer concurrency = ConfigLoader.envValue(env, "KILN_SERVER_BUILDS_CONCURRENCY", ConfigLoader::integer, sources);
        Integer queue = ConfigLoader.envValue(env, "KILN_SERVER_BUILDS_QUEUE", ConfigLoader::integer, sources);
        Long maxBytes = ConfigLoader.envValue(env, "KILN_SERVER_UPLOADS_MAX_BYTES", Units::parseSize, sources);
        Integer keepDays = ConfigLoader.envValue(env, "KILN_SERVER_HISTORY_KEEP_DAYS", ConfigLoader::integer, sources);
        Integer keepBuilds = ConfigLoader.envValue(env, "KILN_SERVER_HISTORY_KEEP_BUILDS", ConfigLoader::integer, sources);
        String dbUrl = ConfigLoader.envValue(env, "KILN_SERVER_DATABASE_URL", Function.identity(), sources);
        String dbUser = ConfigLoader.envValue(env, "KILN_SERVER_DATABASE_USER", Function.identity(), sources);
        String dbPasswordEnv = ConfigLoader.envValue(env, "KILN_SERVER_DATABASE_PASSWORD_ENV", Function.identity(), sources);
        Duration refresh = ConfigLoader.envValue(env, "KILN_SERVER_SCHEDULE_REFRESH", Units::parseDuration, sources);
        Duration outdated = ConfigLoader.envValue(env, "KILN_SERVER_SCHEDULE_OUTDATED", Units::parseDuration, sources);
        Duration prune = ConfigLoader.envValue(env, "KILN_SERVER_SCHEDULE_PRUNE", Units::parseDuration, sources);
        Boolean autoRebase = ConfigLoader.envValue(env, "KILN_SERVER_AUTO_REBASE", ConfigLoader::bool, sources);
        String webhook = ConfigLoader.envValue(env, "KILN_SERVER_NOTIFY_WEBHOOK", Function.identity(), sources);
        if (file == null && Stream.of(port, bind, concurrency, queue, maxBytes, keepDays, keepBuilds, dbUrl, dbUser, dbPasswordEnv,
                refresh, outdated, prune, autoRebase, webhook).allMatch(v -> v == null)) {
            return null;
        }
        KilnConfig.Builds builds = Optional.ofNullable(s.builds()).orElse(new KilnConfig.Builds(null, null));
        KilnConfig.History history = Optional.ofNullable(s.history()).orElse(new KilnConfig.History(null, null));
        KilnConfig.Database database = Optional.ofNullable(s.database()).orElse(new KilnConfig.Database(null, null, null, null));
        KilnConfig.Schedule schedule = Optional.ofNullable(s.schedule()).orElse(new KilnConfig.Schedule(null, null, null));
        return ConfigLoader.checked("KILN_SERVER_*", () -> new KilnConfig.Server(ConfigLoader.or(port, s.port()), ConfigLoader.or(bind, s.bind()), s.tokens(),
                new KilnConfig.Builds(ConfigLoader.or(concurrency, builds.concurrency()), ConfigLoader.or(queue, builds.queue())),
                new KilnConfig.Uploads(ConfigLoader.or(maxBytes, s.uploads() == null ? null : s.uploads().maxBytes())),
                new KilnConfig.History(ConfigLoader.or(keepDays, history.keepDays()), ConfigLoader.or(keepBuilds, history.keepBuilds())),
                new KilnConfig.Database(ConfigLoader.or(dbUrl, database.url()), ConfigLoader.or(dbUser, database.user()),
                        dbPasswordEnv != null ? dbPasswordEnv : database.passwordEnv(), dbPasswordEnv != null ? null : database.passwordFile()),
                new KilnConfig.Schedule(ConfigLoader.or(refresh, schedule.refresh()), ConfigLoader.or(outdated, schedule.outdated()), ConfigLoader.or(prune, schedule.prune())),
                ConfigLoader.or(autoRebase, s.autoRebase()), new KilnConfig.Notify(ConfigLoader.or(webhook, s.notifications() == null ? null : s.notifications().webhook()))));
    }

    /** The server's keys; token hashes and the webhook's query and user info are redacted. */
    static Map<String, Object> redacted(KilnConfig.Server s) {
        Map<String, Object> server = new LinkedHashMap<>();
        ShownConfig.put(server, "port", s.port());
        ShownConfig.put(server, "bind", s.bind());
        if (!s.tokens().isEmpty()) {
            server.put("tokens", s.tokens().stream().map(t -> {
                Map<String, Object> token = new LinkedHashMap<>();
                token.put("name", t.name());
                token.put("sha256", ShownConfig.REDACTED);
                token.put("role", t.role());
                return token;
            }).toList());
        }
        ShownConfig.putSection(server, "builds", s.builds(), (builds, b) -> {
            ShownConfig.put(builds, "concurrency", b.concurrency());
            ShownConfig.put(builds, "queue", b.queue());
        });
        ShownConfig.putSection(server, "uploads", s.uploads(), (uploads, u) -> ShownConfig.put(uploads, "maxBytes", ShownConfig.exactSize(u.maxBytes())));
        ShownConfig.putSection(server, "history", s.history(), (history, h) -> {
            ShownConfig.put(history, "keepDays", h.keepDays());
            ShownConfig.put(history, "keepBuilds", h.keepBuilds());
        });
        ShownConfig.putSection(server, "database", s.database(), (database, d) -> {
            ShownConfig.put(database, "url", d.url() == null ? null : d.url().replaceAll("(?i)password=[^&;]*", "password=" + ShownConfig.REDACTED));
            ShownConfig.put(database, "user", d.user());
            ShownConfig.put(database, "passwordEnv", d.passwordEnv());
            ShownConfig.put(database, "passwordFile", d.passwordFile());
        });
        ShownConfig.putSection(server, "schedule", s.schedule(), (schedule, t) -> {
            ShownConfig.put(schedule, "refresh", Units.formatDuration(t.refresh()));
            ShownConfig.put(schedule, "outdated", Units.formatDuration(t.outdated()));
            ShownConfig.put(schedule, "prune", Units.formatDuration(t.prune()));
        });
        ShownConfig.put(server, "autoRebase", s.autoRebase());
        if (s.notifications() != null && s.notifications().webhook() != null) {
            // a webhook URL may carry a secret in its user info or query
            server.put("notify", Map.of("webhook", s.notifications().webhook().replaceAll("//[^/@]*@", "//" + ShownConfig.REDACTED + "@")
                    .replaceAll("\\?.*$", "?" + ShownConfig.REDACTED)));
        }
        return server;
    }
}
