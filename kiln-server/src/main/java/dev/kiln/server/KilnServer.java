package dev.kiln.server;

import dev.kiln.api.Kiln;
import dev.kiln.api.PruneRequest;
import dev.kiln.config.KilnConfig;
import dev.kiln.error.KilnException;
import dev.kiln.server.auth.Authenticator;
import dev.kiln.server.auth.BearerTokens;
import dev.kiln.server.auth.Role;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.FileStore;
import dev.kiln.server.builds.Rebases;
import dev.kiln.server.builds.Submissions;
import dev.kiln.server.dashboard.Dashboard;
import dev.kiln.server.history.History;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.AdminRoutes;
import dev.kiln.server.http.BuildRoutes;
import dev.kiln.server.http.FileRoutes;
import dev.kiln.server.http.Json;
import dev.kiln.server.http.Routes;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.schedule.Notifications;
import dev.kiln.server.schedule.Schedules;
import dev.kiln.server.schedule.Webhook;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code kiln serve}: one warm {@link Kiln} behind an HTTP API, with a build queue, live events, a
 * history in a database and scheduled checks. Everything it keeps lives in {@code server/} of the
 * cache directory (the embedded database, the files it holds, builds' uploads) unless the history is
 * configured to be in PostgreSQL.
 * <pre>{@code
 * try (KilnServer server = KilnServer.builder(Kiln.builder().build(), settings).start()) { ... }
 * }</pre>
 */
public final class KilnServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KilnServer.class);

    private final Kiln kiln;
    private final History history;
    private final BuildService builds;
    private final Javalin app;
    private final String replica;
    private final Schedules schedules;
    private final Webhook webhook;

    private KilnServer(Builder b) {
        this.kiln = b.kiln;
        Path serverDir = kiln.storeDir().getParent().resolve("server");
        History opened = null;
        try {
            Files.createDirectories(serverDir);
            this.replica = replicaId(serverDir);
            opened = History.open(b.settings.databaseUrl(), b.settings.databaseUser(), b.settings.databasePassword());
            this.history = opened;
            List<String> interrupted = history.interrupt(replica, System.currentTimeMillis());
            if (!interrupted.isEmpty()) {
                LOG.warn("{} builds were running or waiting when the service stopped: now interrupted", interrupted.size());
            }
            Path buildsDir = serverDir.resolve("builds");
            deleteContents(buildsDir);
            ServerMetrics metrics = new ServerMetrics(this::queueLength, this::storeBytes);
            ServerSettings settings = b.settings;
            this.webhook = settings.webhook() == null ? null : new Webhook(settings.webhook(), b.webhookBackoff);
            this.builds = new BuildService(kiln, history, metrics, replica, settings.concurrency(), settings.queue(), record -> {
                if (webhook != null) {
                    webhook.send(Notifications.finished(record));
                }
            });
            Rebases rebases = new Rebases(builds, history);
            FileStore files = new FileStore(serverDir.resolve("files"));
            KilnConfig.Store store = b.config.store();
            PruneRequest storeLimits = store == null || store.maxSize() == null ? null
                    : PruneRequest.builder().maxSize(store.maxSize(), store.lowWatermark()).build();
            this.schedules = new Schedules(kiln, history, replica, settings.refresh(), settings.outdated(), settings.prune(), moved -> {
                if (webhook != null) {
                    webhook.send(Notifications.baseMoved(moved));
                }
                if (settings.autoRebase()) {
                    rebases.submit(new Rebases.Spec(moved.image(), null, null, moved.platform()), "autoRebase");
                }
            }, settings.keepDays(), settings.keepBuilds(), storeLimits, files);
            Submissions submissions = new Submissions(builds, files, buildsDir, b.settings.maxUploadBytes());
            BearerTokens tokens = new BearerTokens(b.settings.tokens());
            Dashboard dashboard = new Dashboard(tokens);
            List<Authenticator> authenticators = new ArrayList<>(b.authenticators);
            authenticators.add(dashboard.sessions());
            authenticators.add(tokens);
            this.app = Javalin.create(config -> {
                config.showJavalinBanner = false;
                config.startupWatcherEnabled = false;
                config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
                config.http.disableCompression();
            });
            Routes.authenticate(app, authenticators);
            errors(app);
            app.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
            app.get("/readyz", ctx -> {
                boolean storeUsable = Files.isDirectory(kiln.storeDir()) && Files.isWritable(kiln.storeDir());
                boolean database = history.usable();
                ctx.status(storeUsable && database ? 200 : 503).json(Map.of("store", storeUsable, "database", database));
            });
            app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()), Role.READ);
            new BuildRoutes(builds, submissions, history).register(app);
            new FileRoutes(files, settings.maxUploadBytes()).register(app);
            new AdminRoutes(kiln, b.config, history, rebases, schedules, metrics, this::storeBytes).register(app);
            dashboard.register(app);
            b.routes.forEach(r -> r.accept(app));
            app.start(b.settings.bind(), b.settings.port());
            schedules.start();
            LOG.info("kiln serve: listening on http://{}:{} (replica {})", b.settings.bind(), app.port(), replica);
        } catch (IOException e) {
            closeQuietly(opened);
            kiln.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            closeQuietly(opened);
            kiln.close();
            throw e;
        }
    }

    private static void closeQuietly(History history) {
        if (history != null) {
            history.close();
        }
    }

    /** A server over {@code kiln} (which it closes when it stops), with {@code settings}. */
    public static Builder builder(Kiln kiln, ServerSettings settings) {
        return new Builder(kiln, settings);
    }

    /** The port it listens on (the one chosen when configured as 0). */
    public int port() {
        return app.port();
    }

    /** This replica's id: stable across restarts of a service on the same cache directory. */
    public String replica() {
        return replica;
    }

    private int queueLength() {
        return builds == null ? 0 : builds.queueLength();
    }

    private long storeBytes() {
        try (Stream<Path> files = Files.walk(kiln.storeDir())) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static void errors(Javalin app) {
        app.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(Map.of("error", e.getMessage())));
        app.exception(BuildService.QueueFullException.class, (e, ctx) -> ctx.status(429).header("Retry-After", "10")
                .json(Map.of("error", e.getMessage())));
        app.exception(KilnException.class, (e, ctx) -> ctx.status(400).json(Map.of("error", oneLine(e.getMessage()))));
        app.exception(History.HistoryException.class, (e, ctx) -> {
            LOG.error("history: {}", e.getMessage());
            ctx.status(503).json(Map.of("error", "the history database is not usable"));
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {}", ctx.method(), ctx.path(), e);
            ctx.status(500).json(Map.of("error", "internal error: " + e.getClass().getSimpleName()));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty() || ctx.result().equals("Not Found")) {
                ctx.json(Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path()));
            }
        });
    }

    private static String oneLine(String message) {
        return message == null ? "invalid request" : message.replace('\n', ' ');
    }

    private static String replicaId(Path serverDir) throws IOException {
        Path file = serverDir.resolve("replica-id");
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(file, id + "\n");
        return id;
    }

    private static void deleteContents(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).filter(f -> !f.equals(dir)).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(dir);
    }

    /** Stops listening, interrupts running builds (recorded as interrupted), closes the history and the store. */
    @Override
    public void close() {
        app.stop();
        schedules.close();
        builds.close();
        if (webhook != null) {
            webhook.close();
        }
        history.close();
        kiln.close();
    }

    /** Sets up a {@link KilnServer}; a missing argument fails where it is given, not when the server starts or a request comes. */
    public static final class Builder {
        private final Kiln kiln;
        private final ServerSettings settings;
        private final List<Authenticator> authenticators = new ArrayList<>();
        private final List<Consumer<Javalin>> routes = new ArrayList<>();
        private KilnConfig config = KilnConfig.EMPTY;
        private Duration webhookBackoff = Duration.ofSeconds(1);

        private Builder(Kiln kiln, ServerSettings settings) {
            this.kiln = Objects.requireNonNull(kiln, "kiln");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** The configuration {@code GET /api/v1/config} shows (redacted) and the store limits the prune schedule applies. */
        public Builder config(KilnConfig effective) {
            this.config = Objects.requireNonNull(effective, "config");
            return this;
        }

        /** The webhook's first retry delay (default 1 s), doubling after each failure; it must be positive, or retries would not wait. */
        public Builder webhookBackoff(Duration first) {
            if (first.isNegative() || first.isZero()) {
                throw new IllegalArgumentException("webhookBackoff must be positive, not " + first);
            }
            this.webhookBackoff = first;
            return this;
        }

        /** Another way to recognise callers (a dashboard's session cookie), asked before the bearer tokens. */
        public Builder authenticator(Authenticator authenticator) {
            authenticators.add(Objects.requireNonNull(authenticator, "authenticator"));
            return this;
        }

        /** More routes (the dashboard's); a route with a {@link Role} needs a caller with it. */
        public Builder routes(Consumer<Javalin> addRoutes) {
            routes.add(Objects.requireNonNull(addRoutes, "routes"));
            return this;
        }

        /** Opens the store and the history, marks what a previous run left running as interrupted, and listens. */
        public KilnServer start() {
            return new KilnServer(this);
        }
    }
}
