package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.image.Platform;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Scale-out: two replicas, each with its own store, sharing one PostgreSQL history and a pull-through registry. */
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
    void replicasShareAPullThroughRegistryAsTheirCacheLevel() throws IOException {
        String url = POSTGRES.newDatabase();
        FlinkBase base = FlinkBase.push(REGISTRY.registry(), "shared/flink:1.18");
        try (RegistryFixture proxy = RegistryFixture.proxyOf(REGISTRY.registry()); RegistryFixture targets = RegistryFixture.plain()) {
            UnaryOperator<KilnBuilder> mirrored = k -> k.mirror(REGISTRY.registry().hostPort(), proxy.hostPort(), true);
            try (ServerFixture one = new ServerFixture(tmp.resolve("one"), s -> on(s, url), b -> b, mirrored);
                 ServerFixture two = new ServerFixture(tmp.resolve("two"), s -> on(s, url), b -> b, mirrored)) {
                assertThat(buildOn(one, base, targets).get("cacheLevel").asText()).as("through the mirror").isEqualTo("mirror");
                proxy.awaitStored(new TestImages.Pushed(base.reference(), base.manifest(), base.configDescriptor(),
                        base.manifest().asManifest().layers(), Platform.host()));
                long mark = REGISTRY.registry().mark();
                assertThat(buildOn(two, base, targets).get("cacheLevel").asText()).isEqualTo("mirror");
                assertThat(REGISTRY.registry().requestsSince(mark)).as("the other replica's base came from the shared cache level")
                        .noneMatch(e -> e.method().equals("GET") && e.path().startsWith("/v2/shared/flink/blobs/"));
                assertThat(two.builder().get("/api/v1/cache").json().get("images"))
                        .filteredOn(i -> i.get("repository").asText().equals("shared/flink")).singleElement()
                        .satisfies(i -> assertThat(i.get("source").asText()).as("the mirror served it").isEqualTo(proxy.hostPort()))
                        .satisfies(i -> assertThat(i.get("level").asText()).isEqualTo("mirror"));
            }
        }
    }

    /** A Flink build on {@code replica}, to {@code targets}; asserts it succeeded and returns it. */
    private JsonNode buildOn(ServerFixture replica, FlinkBase base, RegistryFixture targets) throws IOException {
        String name = replica.server.replica();
        String id = replica.builder().submitOk(new Multipart().request("{\"kind\":\"flink\",\"base\":\"" + base.ref()
                        + "\",\"jobJar\":\"job.jar\",\"mainClass\":\"com.example.Job\",\"to\":\"" + targets.hostPort()
                        + "/jobs/shared-" + name + ":1\"}")
                .file("job.jar", Jobs.jar(tmp.resolve(name).resolve("job.jar"), name)));
        replica.builder().awaitEnd(id);
        JsonNode build = replica.builder().build(id);
        assertThat(build.get("status").asText()).as(build.toString()).isEqualTo("succeeded");
        return build;
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
