package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestImages;
import dev.kiln.image.Platform;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger of built images, {@code kiln outdated} and {@code kiln rebase}, against a real registry whose base tag moves. */
class OutdatedCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(92);

    @TempDir
    Path cache;

    @TempDir
    Path work;

    @Test
    void saysForEveryImageWhetherItsBaseMovedWithOneHeadPerBaseAndWritesNothing() throws IOException {
        FlinkBase old = FlinkBase.push(REGISTRY.registry(), "outdated/flink:1.18");
        Path jar = Files.writeString(work.resolve("job.jar"), "job");
        String orders = REGISTRY.registry().hostPort() + "/outdated/orders:1";
        String payments = REGISTRY.registry().hostPort() + "/outdated/payments:1";
        Cli.ok(cache, "build", "--from", old.ref(), "--add", jar + ":/opt/flink/usrlib/job.jar", "--to", orders, "-q");
        Cli.ok(cache, "build", "--from", old.ref(), "--add", jar + ":/opt/flink/usrlib/job.jar", "--to", payments, "-q");
        Cli.ok(cache, "build", "--from", "scratch", "--add", jar + ":/job.jar", "--to", REGISTRY.registry().hostPort() + "/outdated/tool:1", "-q");

        JsonNode before = Cli.ok(cache, "outdated", "--json").json().path("images");
        assertThat(before).as("one row per image built on a base").hasSize(2)
                .allSatisfy(image -> assertThat(image.path("status").asText()).isEqualTo("current"));

        FlinkBase fixed = FlinkBase.push(REGISTRY.registry(), "outdated/flink:1.18");
        List<Path> storeBefore = Cli.allFiles(cache.resolve("store"));
        long mark = REGISTRY.registry().mark();
        Cli.Result run = Cli.ok(cache, "outdated", "--json");
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
        JsonNode images = run.json().path("images");

        assertThat(images).hasSize(2);
        for (JsonNode image : images) {
            assertThat(image.path("image").asText()).isIn(orders, payments);
            assertThat(image.path("status").asText()).isEqualTo("moved");
            assertThat(image.path("base").asText()).isEqualTo(old.ref());
            assertThat(image.path("builtOn").asText()).isEqualTo(old.digest().toString());
            assertThat(image.path("baseNow").asText()).isEqualTo(fixed.digest().toString());
        }
        assertThat(log).as("one HEAD for the one base, and nothing else").singleElement()
                .satisfies(e -> assertThat(e.method()).isEqualTo("HEAD")).satisfies(e -> assertThat(e.path()).contains("/manifests/"));
        assertThat(Cli.allFiles(cache.resolve("store"))).as("no record, no blob written").hasSameElementsAs(storeBefore);
        assertThat(Cli.ok(cache, "outdated").out()).contains(orders + " (", ") moved: built on " + old.ref());
    }

    @Test
    void checksEveryImageWhenSomeRegistriesFailAndExitsOneOnlyThen() throws IOException {
        Path jar = Files.writeString(work.resolve("job.jar"), "job");
        String target = REGISTRY.registry().hostPort() + "/outdated-errors/app-";
        FlinkBase moving = FlinkBase.push(REGISTRY.registry(), "outdated-errors/moving:1");
        FlinkBase still = FlinkBase.push(REGISTRY.registry(), "outdated-errors/still:1");
        Cli.ok(cache, "build", "--from", moving.ref(), "--add", jar + ":/job.jar", "--to", target + "moving:1", "-q");
        Cli.ok(cache, "build", "--from", still.ref(), "--add", jar + ":/job.jar", "--to", target + "still:1", "-q");
        try (RegistryFixture auth = RegistryFixture.basicAuth(); RegistryFixture down = RegistryFixture.plain()) {
            TestImages.Pushed lockedBase = new TestImages(auth, 93).push("locked/base:1", Platform.host(), 10_000);
            TestImages.Pushed goneBase = new TestImages(down, 94).push("gone/base:1", Platform.host(), 10_000);
            Path credentials = Files.writeString(work.resolve("credentials.yaml"), "registries:\n  \"" + auth.hostPort()
                    + "\":\n    credentials: { username: " + auth.username() + ", password: " + auth.password() + " }\n");
            Cli.ok(cache, "build", "--from", lockedBase.ref(), "--add", jar + ":/job.jar", "--to", target + "locked:1", "-q",
                    "--config", credentials.toString());
            Cli.ok(cache, "build", "--from", goneBase.ref(), "--add", jar + ":/job.jar", "--to", target + "gone:1", "-q");
            FlinkBase.push(REGISTRY.registry(), "outdated-errors/moving:1");
            down.close();

            // without credentials for the Basic-auth registry (a 401), and with the other registry down
            List<Path> storeBefore = Cli.allFiles(cache.resolve("store"));
            Cli.Result json = Cli.run(cache, "outdated", "--json");
            assertThat(json.exitCode()).as("%s", json).isEqualTo(KilnCommand.FAILURE);
            JsonNode images = json.json().path("images");
            assertThat(images).as("%s", json).hasSize(4);
            java.util.Map<String, JsonNode> byImage = new java.util.HashMap<>();
            images.forEach(i -> byImage.put(i.path("image").asText(), i));
            assertThat(byImage.get(target + "moving:1").path("status").asText()).isEqualTo("moved");
            assertThat(byImage.get(target + "still:1").path("status").asText()).as("%s", json).isEqualTo("current");
            assertThat(byImage.get(target + "locked:1").path("status").asText()).isEqualTo("error");
            assertThat(byImage.get(target + "locked:1").path("error").asText()).contains(auth.hostPort()).contains("401");
            assertThat(byImage.get(target + "gone:1").path("status").asText()).isEqualTo("error");
            assertThat(byImage.get(target + "gone:1").path("error").asText()).contains(down.hostPort());
            assertThat(json.errorLines()).containsExactly("kiln: error: 2 of 4 images could not be checked");
            assertThat(Cli.allFiles(cache.resolve("store"))).as("no record, no blob written").hasSameElementsAs(storeBefore);

            Cli.Result human = Cli.run(cache, "outdated");
            assertThat(human.exitCode()).isEqualTo(KilnCommand.FAILURE);
            assertThat(human.out().lines()).hasSize(4)
                    .anySatisfy(l -> assertThat(l).startsWith(target + "moving:1 (").contains(") moved: built on " + moving.ref()))
                    .anySatisfy(l -> assertThat(l).startsWith(target + "still:1 (").contains(") current: on " + still.ref()))
                    .anySatisfy(l -> assertThat(l).startsWith(target + "locked:1 (").contains(") error: ").contains("401"))
                    .anySatisfy(l -> assertThat(l).startsWith(target + "gone:1 (").contains(") error: "));
        }
    }

    @Test
    void rebaseMovesTheImageOntoTheNewBaseWithoutReuploadingItsLayers() throws IOException {
        FlinkBase old = FlinkBase.push(REGISTRY.registry(), "rebase/flink:1.18");
        Path jar = Files.writeString(work.resolve("job.jar"), "the job");
        String image = REGISTRY.registry().hostPort() + "/rebase/orders:1";
        JsonNode built = Cli.ok(cache, "build", "--from", old.ref(), "--add", jar + ":/opt/flink/usrlib/job.jar", "--to", image, "--json").json();
        String appLayer = built.path("layers").get(0).path("digest").asText();
        FlinkBase fixed = FlinkBase.push(REGISTRY.registry(), "rebase/flink:1.18");

        long mark = REGISTRY.registry().mark();
        JsonNode rebased = Cli.ok(cache, "rebase", image, "--to", REGISTRY.registry().hostPort() + "/rebase/orders:1-rebased", "--json").json();
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);

        assertThat(rebased.path("base").path("digest").asText()).isEqualTo(fixed.digest().toString());
        assertThat(log).as("the application layer is not uploaded again")
                .noneMatch(e -> e.method().equals("PUT") && e.path().contains(appLayer.substring("sha256:".length())));
        Path rootfs = unpack(REGISTRY.registry().hostPort() + "/rebase/orders:1-rebased");
        assertThat(rootfs.resolve("opt/flink/lib/flink-dist.jar")).as("the new base's files")
                .hasBinaryContent(fixed.files().get("opt/flink/lib/flink-dist.jar"));
        assertThat(rootfs.resolve("opt/flink/usrlib/job.jar")).as("the old application layer").hasContent("the job");

        Cli.Result missing = Cli.run(cache, "rebase", image + "-missing", "--base", old.ref());
        assertThat(missing.exitCode()).isEqualTo(KilnCommand.FAILURE);
        Cli.Result scratch = Cli.run(cache, "build", "--from", "scratch", "--add", jar + ":/job.jar", "--to",
                REGISTRY.registry().hostPort() + "/rebase/tool:1", "-q");
        assertThat(scratch.exitCode()).isZero();
        Cli.Result noBase = Cli.run(cache, "rebase", REGISTRY.registry().hostPort() + "/rebase/tool:1", "--base", fixed.ref());
        assertThat(noBase.exitCode()).as("found after the image was read: not a usage error").isEqualTo(KilnCommand.FAILURE);
        assertThat(noBase.errorLines()).singleElement().asString().contains("cannot tell which base");
    }

    /** skopeo copies the image into an OCI layout, umoci unpacks it; returns the rootfs. */
    private Path unpack(String ref) {
        Path layout = work.resolve("layout");
        dev.kiln.testing.Skopeo.copy("docker://" + ref, "oci:" + layout + ":t", "--src-tls-verify=false");
        dev.kiln.testing.Commands.run("umoci", "unpack", "--image", layout + ":t", work.resolve("bundle").toString());
        return work.resolve("bundle/rootfs");
    }
}
