package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Scale-out: two replicas, each with its own store, sharing one PostgreSQL history. */
class ReplicasTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(154);
    @RegisterExtension
    static final SharedPostgres POSTGRES = new SharedPostgres();

    @TempDir
    Path tmp;

    private static ServerSettings on(ServerSettings s, String url) {
        return new ServerSettings(s.port(), s.bind(), s.tokens(), 2, 10, s.maxUploadBytes(), s.keepDays(), s.keepBuilds(),
                url, SharedPostgres.USER, null, null, null, null, false, null);
    }

    private Multipart job(String to, String content) throws IOException {
        return new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + REGISTRY.flinkBase().ref() + "\",\"jobJar\":\"job.jar\","
                        + "\"mainClass\":\"com.example.Job\",\"to\":\"" + REGISTRY.registry().hostPort() + "/" + to + "\"}")
                .file("job.jar", Jobs.jar(tmp.resolve(content).resolve("job.jar"), content));
    }

    @Test
    void buildsSubmittedToEitherReplicaAreReadFromBoth() throws IOException {
        String url = POSTGRES.newDatabase();
        try (ServerFixture one = new ServerFixture(tmp.resolve("one"), s -> on(s, url));
             ServerFixture two = new ServerFixture(tmp.resolve("two"), s -> on(s, url))) {
            assertThat(one.server.replica()).isNotEqualTo(two.server.replica());
            String first = one.builder().submitOk(job("jobs/scale:1", "one"));
            String second = two.builder().submitOk(job("jobs/scale:2", "two"));
            List<Api.Event> firstSeenFromTwo = two.builder().awaitEnd(first);
            List<Api.Event> secondSeenFromOne = one.builder().awaitEnd(second);
            assertThat(firstSeenFromTwo.get(firstSeenFromTwo.size() - 1).data().get("status").asText()).isEqualTo("succeeded");
            assertThat(secondSeenFromOne.get(secondSeenFromOne.size() - 1).data().get("status").asText()).isEqualTo("succeeded");
            assertThat(firstSeenFromTwo).as("the same events from the replica that ran it")
                    .isEqualTo(one.builder().awaitEnd(first));

            for (ServerFixture replica : List.of(one, two)) {
                JsonNode a = replica.builder().build(first);
                JsonNode b = replica.builder().build(second);
                assertThat(a.get("replica").asText()).isEqualTo(one.server.replica());
                assertThat(b.get("replica").asText()).isEqualTo(two.server.replica());
                assertThat(a.get("digest").asText()).startsWith("sha256:");
                assertThat(b.at("/result/deploymentYaml").asText()).contains(b.get("digest").asText());
                assertThat(replica.builder().get("/api/v1/builds").json().get("builds")).extracting(x -> x.get("id").asText())
                        .containsExactly(second, first);
            }
        }
    }
}
