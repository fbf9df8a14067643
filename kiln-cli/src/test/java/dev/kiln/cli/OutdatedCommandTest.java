package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FlinkBase;
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
    void listsTheImagesWhoseBaseTagMovedWithOneHeadPerBase() throws IOException {
        FlinkBase old = FlinkBase.push(REGISTRY.registry(), "outdated/flink:1.18");
        Path jar = Files.writeString(work.resolve("job.jar"), "job");
        String orders = REGISTRY.registry().hostPort() + "/outdated/orders:1";
        String payments = REGISTRY.registry().hostPort() + "/outdated/payments:1";
        Cli.ok(cache, "build", "--from", old.ref(), "--add", jar + ":/opt/flink/usrlib/job.jar", "--to", orders, "-q");
        Cli.ok(cache, "build", "--from", old.ref(), "--add", jar + ":/opt/flink/usrlib/job.jar", "--to", payments, "-q");
        Cli.ok(cache, "build", "--from", "scratch", "--add", jar + ":/job.jar", "--to", REGISTRY.registry().hostPort() + "/outdated/tool:1", "-q");

        assertThat(Cli.ok(cache, "outdated", "--json").json().path("images")).as("nothing moved yet").isEmpty();

        FlinkBase fixed = FlinkBase.push(REGISTRY.registry(), "outdated/flink:1.18");
        long mark = REGISTRY.registry().mark();
        JsonNode images = Cli.ok(cache, "outdated", "--json").json().path("images");
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);

        assertThat(images).hasSize(2);
        for (JsonNode image : images) {
            assertThat(image.path("image").asText()).isIn(orders, payments);
            assertThat(image.path("base").asText()).isEqualTo(old.ref());
            assertThat(image.path("builtOn").asText()).isEqualTo(old.digest().toString());
            assertThat(image.path("baseNow").asText()).isEqualTo(fixed.digest().toString());
        }
        assertThat(log.stream().filter(e -> e.method().equals("HEAD") && e.path().contains("/manifests/"))).as("one HEAD for the one base")
                .hasSize(1);
        assertThat(log.stream().filter(e -> e.path().contains("/blobs/") && e.method().equals("GET")))
                .as("the moved base's config, not its layers").hasSize(1);
        assertThat(Cli.ok(cache, "outdated").out()).contains(orders + " (", "was built on " + old.ref());
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
        assertThat(noBase.exitCode()).isEqualTo(KilnCommand.USAGE);
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
