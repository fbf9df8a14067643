package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.PlatformNotFoundException;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.kiln.internal.build.BuildSupport.json;
import static dev.kiln.internal.build.BuildSupport.kiln;
import static dev.kiln.internal.build.BuildSupport.layerDigests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --platform linux/amd64,linux/arm64}: one image per platform on its base, an index over them, read back with skopeo. */
class MultiPlatformBuildTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(61);
    @RegisterExtension
    static final SharedRegistry TARGET = SharedRegistry.plain(62);
    private static final List<Platform> PLATFORMS = List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"));

    @TempDir
    Path tmp;

    @Test
    void eachPlatformGetsItsBaseAndTheApplicationLayerIsBuiltAndUploadedOnce() throws IOException {
        TestImages.PushedIndex base = BASE.images().pushIndex("flink/multi:1.18", PLATFORMS, 20_000, 10_000);
        Path jar = Files.write(tmp.resolve("job.jar"), new byte[50_000]);
        String target = TARGET.registry().hostPort() + "/jobs/multi:1";

        long mark = TARGET.registry().mark();
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(BuildRequest.from(base.reference().toString()).platform("linux/amd64,linux/arm64")
                    .add(jar, "/opt/flink/usrlib/job.jar").to(target).build());
        }
        List<AccessLogEntry> log = TARGET.registry().requestsSince(mark);

        JsonNode index = json(Skopeo.inspectRaw(target, false, null));
        assertThat(index.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(result.digest()).isEqualTo(BuildSupport.sha256(Skopeo.inspectRaw(target, false, null)).toString());
        List<String> platforms = new ArrayList<>();
        index.get("manifests").forEach(m -> platforms.add(m.get("platform").get("os").asText() + "/" + m.get("platform").get("architecture").asText()));
        assertThat(platforms).containsExactly("linux/amd64", "linux/arm64");
        assertThat(result.platforms()).extracting(BuildResult.PlatformImage::platform).containsExactly("linux/amd64", "linux/arm64");

        String appLayer = result.layers().get(0).digest();
        for (int i = 0; i < PLATFORMS.size(); i++) {
            Platform platform = PLATFORMS.get(i);
            String image = TARGET.registry().hostPort() + "/jobs/multi@" + index.get("manifests").get(i).get("digest").asText();
            List<String> expected = new ArrayList<>(base.images().get(platform.toString()).layers().stream().map(l -> l.digest().toString()).toList());
            expected.add(appLayer);
            assertThat(layerDigests(json(Skopeo.inspectRaw(image, false, null)))).as(platform.toString()).containsExactlyElementsOf(expected);
            assertThat(json(Skopeo.inspectConfig(image, false, null)).get("architecture").asText()).isEqualTo(platform.architecture());
        }
        assertThat(log.stream().filter(e -> e.method().equals("PUT") && e.path().contains(appLayer.substring("sha256:".length()))))
                .as("the application layer is uploaded once").hasSize(1);
        assertThat(log.stream().filter(e -> e.method().equals("PUT") && e.path().contains("/manifests/")).map(AccessLogEntry::path))
                .as("two images by digest, then the index under the tag")
                .hasSize(3).last().asString().endsWith("/manifests/1");
    }

    @Test
    void aTwoPlatformBuildToAnOciLayoutIsOneTaggedIndexThatSkopeoReadsPerPlatform() throws IOException {
        TestImages.PushedIndex base = BASE.images().pushIndex("flink/layout-multi:1.18", PLATFORMS, 12_000, 6_000);
        Path jar = Files.write(tmp.resolve("job.jar"), new byte[30_000]);
        Path layout = tmp.resolve("layout");
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(BuildRequest.from(base.reference().toString()).platform("linux/amd64,linux/arm64")
                    .add(jar, "/opt/flink/usrlib/job.jar").to("oci:" + layout + ":1").build());
        }

        JsonNode top = json(Files.readString(layout.resolve("index.json")));
        assertThat(top.get("manifests")).as("one descriptor, as skopeo and Buildah write a multi-platform layout").hasSize(1);
        JsonNode entry = top.get("manifests").get(0);
        assertThat(entry.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(entry.get("annotations").get("org.opencontainers.image.ref.name").asText()).isEqualTo("1");
        assertThat(entry.get("digest").asText()).isEqualTo(result.digest());

        String raw = Skopeo.run("inspect", "--raw", "oci:" + layout + ":1");
        assertThat(BuildSupport.sha256(raw).toString()).isEqualTo(result.digest());
        JsonNode index = json(raw);
        List<String> platforms = new ArrayList<>();
        index.get("manifests").forEach(m -> platforms.add(m.get("platform").get("os").asText() + "/" + m.get("platform").get("architecture").asText()));
        assertThat(platforms).containsExactly("linux/amd64", "linux/arm64");

        String appLayer = result.layers().get(0).digest();
        for (Platform platform : PLATFORMS) {
            Path copy = tmp.resolve("copy-" + platform.architecture());
            Skopeo.run("--insecure-policy", "--override-os", "linux", "--override-arch", platform.architecture(), "copy",
                    "oci:" + layout + ":1", "dir:" + copy);
            JsonNode manifest = json(Files.readString(copy.resolve("manifest.json")));
            List<String> expected = new ArrayList<>(base.images().get(platform.toString()).layers().stream().map(l -> l.digest().toString()).toList());
            expected.add(appLayer);
            assertThat(layerDigests(manifest)).as(platform.toString()).containsExactlyElementsOf(expected);
            JsonNode config = json(Files.readString(copy.resolve(manifest.get("config").get("digest").asText().substring("sha256:".length()))));
            assertThat(config.get("architecture").asText()).isEqualTo(platform.architecture());
        }
        assertThat(result.platforms()).extracting(BuildResult.PlatformImage::image).containsOnly("oci:" + layout + ":1");
    }

    @Test
    void aDockerfileWithTargetPlatformBuildsTheIndexToo() throws IOException {
        TestImages.PushedIndex base = BASE.images().pushIndex("flink/dockerfile-multi:1.18", PLATFORMS, 8_000);
        Files.writeString(tmp.resolve("job.jar"), "job");
        Path dockerfile = Files.writeString(tmp.resolve("Dockerfile"),
                "ARG BASE_IMAGE\nFROM --platform=$TARGETPLATFORM ${BASE_IMAGE}\nARG TARGETARCH\nLABEL arch=$TARGETARCH\nCOPY job.jar /opt/job.jar\n");
        String target = TARGET.registry().hostPort() + "/jobs/dockerfile-multi:1";
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(BuildRequest.dockerfile(dockerfile, tmp).buildArg("BASE_IMAGE", base.reference().toString())
                    .platform("linux/amd64,linux/arm64").to(target).build());
        }
        assertThat(result.platforms()).hasSize(2);
        for (BuildResult.PlatformImage image : result.platforms()) {
            JsonNode config = json(Skopeo.inspectConfig(image.image(), false, null));
            assertThat(config.get("config").get("Labels").get("arch").asText()).as("TARGETARCH per platform")
                    .isEqualTo(config.get("architecture").asText());
            assertThat(image.base().digest()).isEqualTo(base.images().get(image.platform().startsWith("linux/amd64")
                    ? "linux/amd64" : "linux/arm64").digest().toString());
        }
    }

    @Test
    void aBaseWithoutARequestedPlatformFailsBeforeAnythingIsPushed() throws IOException {
        TestImages.PushedIndex base = BASE.images().pushIndex("flink/amd64-only:1.18", List.of(PLATFORMS.get(0)), 10_000);
        Path jar = Files.write(tmp.resolve("job.jar"), new byte[1_000]);
        long mark = TARGET.registry().mark();
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            assertThatThrownBy(() -> kiln.build(BuildRequest.from(base.reference().toString()).platform("linux/amd64,linux/arm64")
                    .add(jar, "/app/job.jar").to(TARGET.registry().hostPort() + "/jobs/partial:1").build()))
                    .isInstanceOf(PlatformNotFoundException.class).hasMessageContaining("linux/arm64");
            assertThatThrownBy(() -> kiln.build(BuildRequest.from(base.reference().toString()).platform("linux/amd64,linux/amd64")
                    .add(jar, "/app/job.jar").to(TARGET.registry().hostPort() + "/jobs/partial:1").build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("named twice");
            assertThatThrownBy(() -> kiln.build(BuildRequest.from(base.reference().toString()).platform("linux/amd64,linux/arm64")
                    .add(jar, "/app/job.jar").to("tar:" + tmp.resolve("image.tar")).build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("needs a registry target");
        }
        assertThat(TARGET.registry().requestsSince(mark)).isEmpty();
    }
}
