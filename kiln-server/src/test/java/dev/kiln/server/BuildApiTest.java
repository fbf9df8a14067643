package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds of every kind submitted over HTTP to a running service, against a real registry; their events as a stream. */
class BuildApiTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(151);

    @TempDir
    Path tmp;

    private String target(String repoAndTag) {
        return REGISTRY.registry().hostPort() + "/" + repoAndTag;
    }

    @Test
    void aFlinkBuildIsPublishedWithItsDeploymentAndItsEventsStreamInOrder() throws IOException {
        FlinkBase base = REGISTRY.flinkBase();
        try (ServerFixture fixture = new ServerFixture(tmp.resolve("cache"))) {
            Api api = fixture.builder();
            Api.Response submitted = api.submit(new Multipart()
                    .request("{\"kind\":\"flink\",\"base\":\"" + base.ref() + "\",\"jobJar\":\"job.jar\",\"mainClass\":\"" + Jobs.WORD_COUNT
                            + "\",\"to\":\"" + target("jobs/orders:1") + "\"}")
                    .file("job.jar", Jobs.examplesJar()));
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
            String id = submitted.json().get("id").asText();
            assertThat(submitted.raw().headers().firstValue("Location")).hasValue("/api/v1/builds/" + id);

            List<Api.Event> events = api.awaitEnd(id);
            assertThat(events).extracting(Api.Event::id).as("sequence numbers 1, 2, …")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
            assertThat(events.get(0).data().get("status").asText()).isEqualTo("queued");
            assertThat(events).anyMatch(e -> "StepStarted".equals(e.type()) && e.data().get("step").asText().equals("build"));
            assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("succeeded");

            JsonNode build = api.build(id);
            assertThat(build.get("status").asText()).isEqualTo("succeeded");
            assertThat(build.get("kind").asText()).isEqualTo("flink");
            assertThat(build.get("submitter").asText()).isEqualTo("ci");
            assertThat(build.get("cacheLevel").asText()).as("a cold store").isEqualTo("registry");
            String digest = build.get("digest").asText();
            assertThat(digest).startsWith("sha256:");
            assertThat(build.at("/result/deploymentYaml").asText()).contains("kind: FlinkDeployment").contains(digest);
            assertThat(build.at("/result/build/steps").size()).isPositive();
            assertThat(build.at("/result/build/base/digest").asText()).isEqualTo(base.digest().toString());

            long warmStart = System.nanoTime();
            String second = api.submitOk(new Multipart()
                    .request("{\"kind\":\"flink\",\"base\":\"" + base.ref() + "\",\"jobJar\":\"job.jar\",\"to\":\"" + target("jobs/orders:2") + "\"}")
                    .file("job.jar", Jobs.jar(tmp.resolve("v2/job.jar"), "v2")));
            api.awaitEnd(second);
            System.out.printf("warm Flink build (new job jar) through the service: submit to done in %d ms%n",
                    (System.nanoTime() - warmStart) / 1_000_000);
            assertThat(api.build(second).get("cacheLevel").asText()).as("the warm store served the base").isEqualTo("store");
            assertThat(api.get("/api/v1/builds").json().get("builds")).extracting(b -> b.get("id").asText())
                    .as("newest first").containsExactly(second, id);
        }
    }

    @Test
    void imageAndDockerfileBuildsTakeFilesAndDirectoriesAsParts() throws IOException {
        String base = REGISTRY.flinkBase().ref();
        Path app = Files.writeString(tmp.resolve("app.txt"), "hello");
        Path dir = tar(tmp.resolve("conf.tar"), "conf/a.properties", "a=1");
        try (ServerFixture fixture = new ServerFixture(tmp.resolve("cache"))) {
            Api api = fixture.builder();
            String image = api.submitOk(new Multipart()
                    .request("{\"kind\":\"image\",\"from\":\"" + base + "\",\"layers\":[{\"file\":\"app.txt\",\"dest\":\"/app/app.txt\"},"
                            + "{\"file\":\"conf.tar\",\"dir\":true,\"dest\":\"/etc/app/\"}],\"env\":{\"MODE\":\"image\"},\"to\":\""
                            + target("apps/image:1") + "\"}")
                    .file("app.txt", app).file("conf.tar", dir));
            api.awaitEnd(image);
            JsonNode built = api.build(image);
            assertThat(built.get("status").asText()).as(built.toString()).isEqualTo("succeeded");
            assertThat(built.at("/result/layers")).extracting(l -> l.get("destination").asText())
                    .containsExactly("/app/app.txt", "/etc/app/");

            Files.createDirectories(tmp.resolve("ctx"));
            Files.writeString(tmp.resolve("ctx/app.txt"), "from the context", StandardCharsets.UTF_8);
            String dockerfile = api.submitOk(new Multipart()
                    .request("{\"kind\":\"dockerfile\",\"context\":\"context.tar\",\"to\":\"" + target("apps/docker:1") + "\"}")
                    .file("context.tar", tarOf(tmp.resolve("context.tar"), tmp.resolve("ctx"), "FROM " + base + "\nCOPY app.txt /app/\n")));
            api.awaitEnd(dockerfile);
            JsonNode fromDockerfile = api.build(dockerfile);
            assertThat(fromDockerfile.get("status").asText()).as(fromDockerfile.toString()).isEqualTo("succeeded");
            assertThat(fromDockerfile.get("kind").asText()).isEqualTo("dockerfile");
        }
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsEveryEventItMissed() throws IOException {
        FlinkBase base = REGISTRY.flinkBase();
        try (ServerFixture fixture = new ServerFixture(tmp.resolve("cache"))) {
            Api api = fixture.builder();
            String id = api.submitOk(new Multipart()
                    .request("{\"kind\":\"flink\",\"base\":\"" + base.ref() + "\",\"jobJar\":\"job.jar\",\"to\":\"" + target("jobs/replay:1") + "\"}")
                    .file("job.jar", Jobs.jar(tmp.resolve("job.jar"), "replay")));
            List<Api.Event> firstThree = api.events(id, null, e -> e.id() == 3);
            assertThat(firstThree).hasSize(3);
            List<Api.Event> rest = api.events(id, 3L, e -> false);
            List<Api.Event> all = api.events(id, null, e -> false);
            assertThat(rest.get(0).id()).isEqualTo(4);
            assertThat(concat(firstThree, rest)).isEqualTo(all);
            assertThat(all.get(all.size() - 1).data().get("status").asText()).isEqualTo("succeeded");
        }
    }

    private static List<Api.Event> concat(List<Api.Event> a, List<Api.Event> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** A tar with one file. */
    static Path tar(Path file, String name, String content) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(bytes.length);
            tar.putArchiveEntry(entry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }
        return file;
    }

    /** A tar of {@code dir}'s files plus a Dockerfile. */
    private static Path tarOf(Path file, Path dir, String dockerfile) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Path f : (Iterable<Path>) Files.list(dir)::iterator) {
                tar.putArchiveEntry(tar.createArchiveEntry(f.toFile(), f.getFileName().toString()));
                Files.copy(f, tar);
                tar.closeArchiveEntry();
            }
            byte[] bytes = dockerfile.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("Dockerfile");
            entry.setSize(bytes.length);
            tar.putArchiveEntry(entry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }
        return file;
    }
}
