package dev.kiln.server;

import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.config.KilnConfig;
import dev.kiln.testing.TestKilns;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

import static dev.kiln.server.auth.BearerTokens.sha256;

/** A service on a free loopback port over a hermetic Kiln, with one token per role. */
final class ServerFixture implements AutoCloseable {
    static final String READ_TOKEN = "read-token-0123456789";
    static final String BUILD_TOKEN = "build-token-0123456789";
    static final String ADMIN_TOKEN = "admin-token-0123456789";
    static final List<KilnConfig.Token> TOKENS = List.of(
            new KilnConfig.Token("reader", hex(READ_TOKEN), "read"),
            new KilnConfig.Token("ci", hex(BUILD_TOKEN), "build"),
            new KilnConfig.Token("ops", hex(ADMIN_TOKEN), "admin"));

    final Path cacheDir;
    final KilnServer server;

    ServerFixture(Path cacheDir, UnaryOperator<ServerSettings> settings) {
        this(cacheDir, settings, b -> b);
    }

    ServerFixture(Path cacheDir, UnaryOperator<ServerSettings> settings, UnaryOperator<KilnServer.Builder> more) {
        this.cacheDir = cacheDir;
        ServerSettings defaults = ServerSettings.of(new KilnConfig.Server(0, null, TOKENS, null, null, null, null, null, null, null),
                cacheDir);
        this.server = more.apply(KilnServer.builder(kiln(cacheDir).build(), settings.apply(defaults))).start();
    }

    ServerFixture(Path cacheDir) {
        this(cacheDir, s -> s);
    }

    static KilnBuilder kiln(Path cacheDir) {
        return TestKilns.builder(cacheDir).timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    static String hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    Api api(String token) {
        return new Api(url(), token);
    }

    Api builder() {
        return api(BUILD_TOKEN);
    }

    @Override
    public void close() {
        server.close();
    }
}
