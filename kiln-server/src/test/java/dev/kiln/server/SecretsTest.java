package dev.kiln.server;

import dev.kiln.config.KilnConfig;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Tokens and registry secrets never appear in a response, an event, the database or a log line. */
class SecretsTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(160);

    @TempDir
    Path tmp;

    @Test
    void noResponseEventRowOrLogLineHoldsATokenOrARegistryPassword() throws Exception {
        List<String> seen = new ArrayList<>();
        Path cache = tmp.resolve("cache");
        try (Stderr log = Stderr.capture(); RegistryFixture secured = RegistryFixture.basicAuth()) {
            KilnConfig config = new KilnConfig(null, Map.of(secured.hostPort(), new KilnConfig.Registry(null, null, null, null, null, null, null,
                    new KilnConfig.Credentials(secured.username(), secured.password(), null, null, null))), null,
                    new KilnConfig.Server(0, null, ServerFixture.TOKENS, null, null, null, null, null, null, null), List.of("test"));
            try (KilnServer server = KilnServer.builder(config.applyTo(ServerFixture.kiln(cache)).build(),
                    ServerSettings.of(config.server(), cache)).config(config).start()) {
                Api api = new Api("http://127.0.0.1:" + server.port(), ServerFixture.BUILD_TOKEN);
                String base = REGISTRY.flinkBase().ref();
                String good = api.submitOk(new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + base + "\",\"jobJar\":\"job.jar\","
                        + "\"mainClass\":\"com.example.Job\",\"to\":\"" + secured.hostPort() + "/jobs/secret:1\"}")
                        .file("job.jar", Jobs.jar(tmp.resolve("job.jar"), "secret")));
                seen.add(api.awaitEnd(good).toString());
                String bad = api.submitOk(new Multipart().request("{\"kind\":\"image\",\"from\":\"" + secured.hostPort() + "/no/such:1\","
                        + "\"to\":\"" + secured.hostPort() + "/jobs/secret:2\"}"));
                seen.add(api.awaitEnd(bad).toString());
                for (String path : List.of("/api/v1/builds", "/api/v1/builds/" + good, "/api/v1/builds/" + bad, "/api/v1/config",
                        "/api/v1/cache", "/api/v1/stats", "/api/v1/schedules", "/metrics", "/api/v1/outdated")) {
                    seen.add(api.as(ServerFixture.ADMIN_TOKEN).get(path).body());
                }
                seen.add(api.as("a-wrong-token").get("/api/v1/builds").body());
                assertThat(api.build(good).get("status").asText()).as("the push used the credentials").isEqualTo("succeeded");
            }
            seen.add(database(ServerSettings.of(null, cache).databaseUrl()));
            seen.add(log.text());
            for (String secret : List.of(ServerFixture.BUILD_TOKEN, ServerFixture.ADMIN_TOKEN, ServerFixture.hex(ServerFixture.BUILD_TOKEN),
                    secured.password(), "a-wrong-token")) {
                assertThat(seen).as("nowhere: %s", secret).noneMatch(text -> text.contains(secret));
            }
            assertThat(String.join("\n", seen)).as("the searched texts are real").contains("succeeded").contains("kiln_builds_total");
        }
    }

    /** Every value of every row of the history's tables, as text. */
    private static String database(String url) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (String table : List.of("builds", "build_events", "schedule_runs")) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            all.append(rs.getString(i)).append('\t');
                        }
                        all.append('\n');
                    }
                }
            }
        }
        assertThat(all).as("the history has rows").contains("jobs/secret:1");
        return all.toString();
    }
}
