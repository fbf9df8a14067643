package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.KilnConfig;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cache, outdated and rebase endpoints, the outdated schedule with autoRebase and the webhook, the configuration and the statistics. */
class AdminApiTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(155);

    @TempDir
    Path tmp;

    private static ServerSettings scheduled(ServerSettings s, String webhook) {
        return new ServerSettings(s.port(), s.bind(), s.tokens(), 2, 10, s.maxUploadBytes(), s.keepDays(), s.keepBuilds(),
                s.databaseUrl(), null, null, Duration.ofHours(6), Duration.ofHours(1), Duration.ofDays(1), true, webhook);
    }

    @Test
    void aMovedBaseIsFoundAnnouncedAndRebasedWithTheDeploymentsNewDigest() throws Exception {
        FlinkBase base = FlinkBase.push(REGISTRY.registry(), "moving/flink:1.18");
        String target = REGISTRY.registry().hostPort() + "/jobs/rebased:1";
        KilnConfig config = new KilnConfig(null, Map.of(), null, new KilnConfig.Server(0, null, ServerFixture.TOKENS, null, null, null,
                null, null, true, new KilnConfig.Notify("http://127.0.0.1:1/hook?key=hook-secret")), List.of("test"));
        try (Receiver receiver = new Receiver(2);
             ServerFixture fixture = new ServerFixture(tmp.resolve("cache"), s -> scheduled(s, receiver.url()),
                     b -> b.config(config).webhookBackoff(Duration.ofMillis(10)))) {
            Api api = fixture.builder();
            Api admin = fixture.api(ServerFixture.ADMIN_TOKEN);
            String built = api.submitOk(new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + base.ref() + "\",\"jobJar\":\"job.jar\","
                    + "\"mainClass\":\"com.example.Job\",\"to\":\"" + target + "\"}").file("job.jar", Jobs.jar(tmp.resolve("job.jar"), "v1")));
            api.awaitEnd(built);
            JsonNode first = api.build(built);
            String oldDigest = first.get("digest").asText();
            JsonNode announced = receiver.await(p -> p.get("type").asText().equals("build") && p.get("id").asText().equals(built));
            assertThat(announced.get("status").asText()).isEqualTo("succeeded");
            assertThat(announced.get("digest").asText()).isEqualTo(oldDigest);
            assertThat(receiver.attempts()).as("two failed POSTs, retried").isGreaterThanOrEqualTo(3);

            JsonNode cache = api.get("/api/v1/cache").json();
            assertThat(cache.get("images")).anyMatch(i -> i.get("repository").asText().equals("moving/flink")
                    && i.get("tag").asText().equals("1.18") && i.get("size").asLong() > 0
                    && i.get("source").asText().equals(REGISTRY.registry().hostPort()) && i.get("level").asText().equals("registry"));
            assertThat(cache.at("/store/bytes").asLong()).isPositive();
            assertThat(admin.get("/api/v1/outdated").json().get("images")).singleElement()
                    .satisfies(i -> assertThat(i.get("status").asText()).isEqualTo("current"));

            FlinkBase moved = FlinkBase.push(REGISTRY.registry(), "moving/flink:1.18");
            assertThat(api.post("/api/v1/schedules/outdated/run", "").status()).as("schedules are for admins").isEqualTo(403);
            JsonNode run = admin.post("/api/v1/schedules/outdated/run", "").json();
            assertThat(run.get("found").asText()).contains("1 on a moved base");
            JsonNode baseMoved = receiver.await(p -> p.get("type").asText().equals("baseMoved"));
            assertThat(baseMoved.get("image").asText()).isEqualTo(target);
            assertThat(baseMoved.get("builtOn").asText()).isEqualTo(base.digest().toString());

            JsonNode rebase = api.get("/api/v1/builds").json().get("builds").get(0);
            assertThat(rebase.get("kind").asText()).isEqualTo("rebase");
            assertThat(rebase.get("submitter").asText()).isEqualTo("autoRebase");
            List<Api.Event> events = api.awaitEnd(rebase.get("id").asText());
            assertThat(events).anyMatch(e -> "StepStarted".equals(e.type()) && e.data().get("step").asText().equals("rebase"));
            JsonNode rebased = api.build(rebase.get("id").asText());
            assertThat(rebased.get("status").asText()).as(rebased.toString()).isEqualTo("succeeded");
            String newDigest = rebased.get("digest").asText();
            assertThat(newDigest).isNotEqualTo(oldDigest);
            assertThat(rebased.at("/result/build/base/digest").asText()).isEqualTo(moved.digest().toString());
            assertThat(rebased.at("/result/deploymentYaml").asText()).contains(newDigest).doesNotContain(oldDigest);
            assertThat(admin.get("/api/v1/outdated").json().get("images").get(0).get("status").asText()).isEqualTo("current");

            JsonNode schedules = api.get("/api/v1/schedules").json().get("schedules");
            assertThat(schedules).extracting(s -> s.get("name").asText()).containsExactly("refresh", "outdated", "prune", "retention");
            assertThat(schedules.get(1).get("lastRuns").get(0).get("found").asText()).contains("1 on a moved base");
            assertThat(schedules.get(1).get("nextRun").asText()).isNotEmpty();

            JsonNode stats = api.get("/api/v1/stats").json().get("hours");
            assertThat(stats).isNotEmpty();
            assertThat(stats.findValues("builds").stream().mapToInt(JsonNode::asInt).sum()).isEqualTo(2);

            String shown = api.get("/api/v1/config").body();
            assertThat(shown).contains("\"role\":\"build\"").doesNotContain(ServerFixture.hex(ServerFixture.BUILD_TOKEN))
                    .doesNotContain("hook-secret");

            JsonNode before = api.get("/api/v1/cache").json().get("images");
            JsonNode dryRun = admin.post("/api/v1/cache/prune", "{\"dryRun\":true,\"maxSize\":\"1B\"}").json();
            assertThat(dryRun.get("dryRun").asBoolean()).isTrue();
            assertThat(dryRun.get("removed")).isNotEmpty();
            assertThat(api.get("/api/v1/cache").json().get("images")).as("a dry run removes nothing").hasSameSizeAs(before);
            assertThat(api.post("/api/v1/cache/prune", "{}").status()).isEqualTo(403);
            assertThat(admin.post("/api/v1/cache/prune", "{\"dryrun\":true}").error()).contains("unknown field 'dryrun'");
        }
    }
}
