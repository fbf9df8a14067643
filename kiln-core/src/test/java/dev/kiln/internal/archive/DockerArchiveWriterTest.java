package dev.kiln.internal.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.StoreException;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link DockerArchiveWriter} against skopeo's {@code docker-archive:} transport, umoci and GNU tar. */
class DockerArchiveWriterTest {
    private static final String REPO_TAG = "127.0.0.1:5000/ns/app:1";

    @TempDir
    Path tmp;
    private ArchiveTestImage image;
    private final DockerArchiveWriter writer = new DockerArchiveWriter();

    @BeforeEach
    void buildImage() throws IOException {
        image = ArchiveTestImage.build(Files.createDirectories(tmp.resolve("image")));
    }

    @Test
    void skopeoSeesTheConfigAndTheLayers() throws IOException {
        Path archive = write("app.tar", REPO_TAG);

        // skopeo serves docker-archive layers uncompressed, so it lists them by their diff_ids
        JsonNode manifest = ImageJson.MAPPER.readTree(Tools.skopeo("inspect", "--raw", "docker-archive:" + archive));
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(image.configDescriptor.digest().toString());
        assertThat(manifest.path("layers").findValuesAsText("digest"))
                .containsExactly(image.diffIds.get(0).toString(), image.diffIds.get(1).toString());
        JsonNode inspect = ImageJson.MAPPER.readTree(Tools.skopeo("inspect", "docker-archive:" + archive));
        List<String> layers = new ArrayList<>();
        inspect.path("Layers").forEach(layer -> layers.add(layer.asText()));
        assertThat(layers).containsExactly(image.diffIds.get(0).toString(), image.diffIds.get(1).toString());
        assertThat(Tools.skopeo("inspect", "--config", "--raw", "docker-archive:" + archive))
                .isEqualTo(new String(image.config, StandardCharsets.UTF_8));
        // skopeo finds the image by the registry reference it was tagged with
        assertThat(Tools.skopeo("inspect", "--config", "--raw", "docker-archive:" + archive + ":" + REPO_TAG))
                .isEqualTo(new String(image.config, StandardCharsets.UTF_8));
    }

    @Test
    void dockerHubNamesAreWrittenShortAsDockerDoesAndSkopeoResolvesThem() throws IOException {
        Path archive = write("hub.tar", "docker.io/library/app:3");

        JsonNode items = ImageJson.MAPPER.readTree(Tools.runBytes("tar", "-xOf", archive.toString(), "manifest.json"));
        assertThat(items.get(0).path("RepoTags").get(0).asText()).isEqualTo("app:3");
        JsonNode index = ImageJson.MAPPER.readTree(Tools.runBytes("tar", "-xOf", archive.toString(), "index.json"));
        assertThat(index.path("manifests").get(0).path("annotations").path(DockerArchiveWriter.IMAGE_NAME).asText())
                .isEqualTo("docker.io/library/app:3");
        for (String ref : List.of("app:3", "docker.io/library/app:3")) {
            assertThat(Tools.skopeo("inspect", "--config", "--raw", "docker-archive:" + archive + ":" + ref))
                    .as("skopeo resolves %s", ref).isEqualTo(new String(image.config, StandardCharsets.UTF_8));
        }
    }

    @Test
    void skopeoCopiesItIntoAnOciLayoutThatUmociUnpacks() throws IOException {
        Path archive = write("app.tar", REPO_TAG);
        Path layout = tmp.resolve("copied");

        Tools.skopeo("copy", "docker-archive:" + archive, "oci:" + layout + ":t");
        Path rootfs = Tools.umociUnpack(layout, "t", tmp.resolve("bundle"));

        assertThat(ArchiveTestImage.filesUnder(rootfs)).isEqualTo(new TreeMap<>(ArchiveTestImage.EXPECTED_FILES));
        assertThat(Files.isExecutable(rootfs.resolve("app/run.sh"))).isTrue();
    }

    @Test
    void theArchiveIsDockerSaveShapedAndAlsoAnOciLayout() throws IOException {
        Path archive = write("app.tar", REPO_TAG);
        String cfg = image.configDescriptor.digest().hex();
        String l1 = image.layer1Descriptor.digest().hex();
        String l2 = image.layer2Descriptor.digest().hex();
        String man = image.manifest.digest().hex();

        List<String[]> entries = Tools.run("tar", "--utc", "--numeric-owner", "-tvf", archive.toString()).lines()
                .map(line -> line.split("\\s+")).toList();
        List<String> blobNames = Stream.of(cfg, l1, l2, man).sorted().map(hex -> "blobs/sha256/" + hex).toList();
        List<String> expectedNames = new ArrayList<>(List.of("blobs/", "blobs/sha256/"));
        expectedNames.addAll(blobNames);
        expectedNames.addAll(List.of("index.json", "manifest.json", "oci-layout"));
        assertThat(entries).extracting(e -> e[5]).containsExactlyElementsOf(expectedNames);
        assertThat(entries).allSatisfy(e -> {
            assertThat(e[1]).as("owner of %s", e[5]).isEqualTo("0/0");
            assertThat(e[3] + " " + e[4]).as("mtime of %s", e[5]).isEqualTo("1970-01-01 00:00");
            assertThat(e[0]).as("mode of %s", e[5]).isEqualTo(e[5].endsWith("/") ? "drwxr-xr-x" : "-rw-r--r--");
        });

        assertThat(Tools.run("tar", "-xOf", archive.toString(), "manifest.json")).isEqualTo(
                "[{\"Config\":\"blobs/sha256/" + cfg + "\",\"RepoTags\":[\"" + REPO_TAG + "\"],"
                        + "\"Layers\":[\"blobs/sha256/" + l1 + "\",\"blobs/sha256/" + l2 + "\"]}]");
        assertThat(Tools.run("tar", "-xOf", archive.toString(), "oci-layout")).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(Tools.run("tar", "-xOf", archive.toString(), "index.json")).isEqualTo(
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                        + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + image.manifest.digest() + "\",\"size\":"
                        + image.manifest.bytes().length + ",\"annotations\":{\"io.containerd.image.name\":\"" + REPO_TAG
                        + "\",\"org.opencontainers.image.ref.name\":\"1\"}}]}");
        // blobs as they are: layers still gzipped, manifest and config byte for byte
        for (Digest digest : List.of(image.layer1Descriptor.digest(), image.layer2Descriptor.digest(),
                image.configDescriptor.digest(), image.manifest.digest())) {
            assertThat(Tools.runBytes("tar", "-xOf", archive.toString(), "blobs/sha256/" + digest.hex()))
                    .isEqualTo(image.blobContent(digest));
        }
        // and the same file read as an OCI layout archive
        Path extracted = Files.createDirectories(tmp.resolve("extracted"));
        Tools.run("tar", "-xf", archive.toString(), "-C", extracted.toString());
        assertThat(Tools.skopeo("inspect", "--raw", "oci:" + extracted + ":1"))
                .isEqualTo(new String(image.manifest.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void writingTheSameImageTwiceGivesTheSameBytes() throws IOException, InterruptedException {
        Path first = write("first.tar", REPO_TAG);
        Thread.sleep(1100); // a clock-based mtime would now differ by a second
        Path second = write("second.tar", REPO_TAG);

        assertThat(Files.mismatch(first, second)).isEqualTo(-1L);
        assertThat(Files.size(first)).isGreaterThan(image.layer1Descriptor.size() + image.layer2Descriptor.size());
        assertThat(OciLayoutWriterTest.listing(tmp).keySet()).as("temp files renamed away")
                .noneMatch(name -> name.endsWith(".kiln-tmp"));
    }

    @Test
    void repoTagIsDockersFamiliarForm() {
        assertThat(DockerArchiveWriter.repoTag(Reference.parse("flink"))).isEqualTo("flink:latest");
        assertThat(DockerArchiveWriter.repoTag(Reference.parse("docker.io/library/flink:1.18"))).isEqualTo("flink:1.18");
        assertThat(DockerArchiveWriter.repoTag(Reference.parse("index.docker.io/library/flink:1.18"))).isEqualTo("flink:1.18");
        assertThat(DockerArchiveWriter.repoTag(Reference.parse("docker.io/user/app:1"))).isEqualTo("user/app:1");
        assertThat(DockerArchiveWriter.repoTag(Reference.parse("docker.io/library/a/b:1"))).isEqualTo("library/a/b:1");
        assertThat(DockerArchiveWriter.repoTag(Reference.parse(REPO_TAG))).isEqualTo(REPO_TAG);
        assertThat(DockerArchiveWriter.repoTag(Reference.parse("localhost/app:2"))).isEqualTo("localhost/app:2");
        String digest = "sha256:" + "a".repeat(64);
        assertThat(DockerArchiveWriter.repoTag(Reference.parse("flink:1@" + digest))).isEqualTo("flink:1");
        assertThatThrownBy(() -> DockerArchiveWriter.repoTag(Reference.parse("flink@" + digest)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("tag");
    }

    @Test
    void wrongBytesLeaveNoFileAndAnExistingArchiveUntouched() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("out"));
        Path existing = Files.writeString(dir.resolve("existing.tar"), "previous archive");
        BlobReader reader = image.corruptingReader(image.layer2Descriptor.digest(), content -> {
            content[content.length / 2] ^= 0x01;
            return content;
        });

        assertThatThrownBy(() -> writer.write(dir.resolve("new.tar"), REPO_TAG, image.manifest, image.config, image.layers(), reader))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(image.layer2Descriptor.digest().toString());
        assertThatThrownBy(() -> writer.write(existing, REPO_TAG, image.manifest, image.config, image.layers(), reader))
                .isInstanceOf(DigestMismatchException.class);

        assertThat(image.reads).as("the layer was streamed before it failed").contains(image.layer2Descriptor.digest());
        assertThat(OciLayoutWriterTest.listing(dir)).as("no target file, no temp file").containsOnlyKeys("existing.tar");
        assertThat(existing).hasContent("previous archive");
    }

    @Test
    void anUnwritableTargetIsAOneLineErrorNamingThePath() throws IOException {
        Path missingDir = tmp.resolve("missing/app.tar");
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        Path tooLong = tmp.resolve("x".repeat(250) + ".tar"); // its temp name exceeds the file system's limit

        assertThatThrownBy(() -> writer.write(missingDir, REPO_TAG, image.manifest, image.config, image.layers(), image.reader()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(missingDir.toString());
        assertThatThrownBy(() -> writer.write(file.resolve("app.tar"), REPO_TAG, image.manifest, image.config, image.layers(), image.reader()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(file.resolve("app.tar").toString());
        assertThatThrownBy(() -> writer.write(tmp, REPO_TAG, image.manifest, image.config, image.layers(), image.reader()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> writer.write(tooLong, REPO_TAG, image.manifest, image.config, image.layers(), image.reader()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(tooLong.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(OciLayoutWriterTest.listing(tmp)).doesNotContainKeys("missing", tooLong.getFileName().toString());
    }

    @Test
    void refusesInputsThatWouldMakeAnArchiveDockerCannotLoad() {
        Path target = tmp.resolve("app.tar");
        byte[] otherConfig = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8);
        RawManifest index = RawManifest.of(("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"manifests\":[]}").getBytes(StandardCharsets.UTF_8), null);
        List<Descriptor> swapped = List.of(image.layer2Descriptor, image.layer1Descriptor);

        assertThatThrownBy(() -> writer.write(target, REPO_TAG, image.manifest, otherConfig, image.layers(), image.reader()))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining(image.configDescriptor.digest().toString());
        assertThatThrownBy(() -> writer.write(target, REPO_TAG, image.manifest, image.config, swapped, image.reader()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("layer 0");
        assertThatThrownBy(() -> writer.write(target, REPO_TAG, index, image.config, image.layers(), image.reader()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("index");
        assertThatThrownBy(() -> writer.write(target, "Not A Reference", image.manifest, image.config, image.layers(), image.reader()))
                .isInstanceOf(InvalidInputException.class);
        assertThat(target).doesNotExist();
        assertThat(image.reads).isEmpty();
    }

    private Path write(String name, String repoTag) {
        Path archive = tmp.resolve(name);
        writer.write(archive, repoTag, image.manifest, image.config, image.layers(), image.reader());
        return archive;
    }
}
