package dev.kiln.server;

import dev.kiln.config.KilnConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code server:} configuration with every default applied: what {@link KilnServer} runs with.
 *
 * @param databaseUrl the JDBC URL of the history: PostgreSQL when configured, else an H2 file in the cache directory, each
 *                    commit written at once ({@code WRITE_DELAY=0}: an accepted build survives a SIGKILL)
 */
public record ServerSettings(int port, String bind, List<KilnConfig.Token> tokens, int concurrency, int queue, long maxUploadBytes,
                             int keepDays, int keepBuilds, String databaseUrl, String databaseUser, String databasePassword,
                             Duration refresh, Duration outdated, Duration prune, boolean autoRebase, String webhook) {
    /** Port 8080 unless configured. */
    public static final int DEFAULT_PORT = 8080;
    /** Loopback only unless configured. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    private static final int DEFAULT_QUEUE = 100;
    private static final long DEFAULT_MAX_UPLOAD = 2L << 30;
    private static final int DEFAULT_KEEP_DAYS = 30;
    private static final int DEFAULT_KEEP_BUILDS = 1000;

    /** The settings of {@code config} ({@code null}: all defaults), the embedded database under {@code cacheDir}. */
    public static ServerSettings of(KilnConfig.Server config, Path cacheDir) {
        KilnConfig.Server s = config != null ? config : new KilnConfig.Server(null, null, null, null, null, null, null, null, null, null);
        var builds = Optional.ofNullable(s.builds());
        var history = Optional.ofNullable(s.history());
        var database = Optional.ofNullable(s.database());
        var schedule = Optional.ofNullable(s.schedule());
        String url = database.map(KilnConfig.Database::url)
                .orElse("jdbc:h2:file:" + cacheDir.toAbsolutePath().resolve("server/history") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        return new ServerSettings(Optional.ofNullable(s.port()).orElse(DEFAULT_PORT), Optional.ofNullable(s.bind()).orElse(DEFAULT_BIND),
                s.tokens(), builds.map(KilnConfig.Builds::concurrency).orElse(Runtime.getRuntime().availableProcessors()),
                builds.map(KilnConfig.Builds::queue).orElse(DEFAULT_QUEUE),
                Optional.ofNullable(s.uploads()).map(KilnConfig.Uploads::maxBytes).orElse(DEFAULT_MAX_UPLOAD),
                history.map(KilnConfig.History::keepDays).orElse(DEFAULT_KEEP_DAYS),
                history.map(KilnConfig.History::keepBuilds).orElse(DEFAULT_KEEP_BUILDS),
                url, database.map(KilnConfig.Database::user).orElse(null), database.map(KilnConfig.Database::password).orElse(null),
                schedule.map(KilnConfig.Schedule::refresh).orElse(null), schedule.map(KilnConfig.Schedule::outdated).orElse(null),
                schedule.map(KilnConfig.Schedule::prune).orElse(null), Boolean.TRUE.equals(s.autoRebase()),
                Optional.ofNullable(s.notifications()).map(KilnConfig.Notify::webhook).orElse(null));
    }

    /** These settings listening on {@code newPort} and {@code newBind} (the command line's, when given). */
    public ServerSettings listeningOn(Integer newPort, String newBind) {
        return new ServerSettings(newPort != null ? newPort : port, newBind != null ? newBind : bind, tokens, concurrency, queue,
                maxUploadBytes, keepDays, keepBuilds, databaseUrl, databaseUser, databasePassword, refresh, outdated, prune, autoRebase,
                webhook);
    }

    @Override
    public String toString() {
        return "ServerSettings[" + bind + ":" + port + ", " + tokens.size() + " tokens, concurrency " + concurrency + ", queue " + queue + "]";
    }
}
