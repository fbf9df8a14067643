package dev.kiln.internal.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.StoreException;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link OciLayoutWriter} against the real readers of OCI layouts: skopeo's {@code oci:} transport and umoci. */
class OciLayoutWriterTest {
    @TempDir
    Path tmp;
    private ArchiveTestImage image;
    private final OciLayoutWriter writer = new OciLayoutWriter();

    @BeforeEach
    void buildImage() throws IOException {
        image = ArchiveTestImage.build(Files.createDirectories(tmp.resolve("image")));
    }

    @Test
    void skopeoReadsTheManifestAndConfigExactlyAndCopiesTheImage() throws IOException {
        Path layout = tmp.resolve("out/layout"); // parents missing too: created

        writer.write(layout, "1.0", image.manifest, image.blobs(), image.reader());

        assertThat(Files.readString(layout.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(Tools.skopeo("inspect", "--raw", "oci:" + layout + ":1.0"))
                .isEqualTo(new String(image.manifest.bytes(), StandardCharsets.UTF_8));
        assertThat(Tools.skopeo("inspect", "--config", "--raw", "oci:" + layout + ":1.0"))
                .isEqualTo(new String(image.config, StandardCharsets.UTF_8));
        Path copy = tmp.resolve("dir-copy");
        Tools.skopeo("copy", "oci:" + layout + ":1.0", "dir:" + copy);
        for (var blob : image.blobs()) {
            assertThat(copy.resolve(blob.digest().hex())).as("skopeo copied %s unchanged", blob.digest())
                    .hasBinaryContent(image.blobContent(blob.digest()));
        }
        // the layout holds exactly manifest, config and layers, byte for byte, and no temp files
        assertThat(listing(layout)).containsOnlyKeys("blobs", "blobs/sha256", "index.json", "oci-layout",
                blobPath(image.manifest.digest()), blobPath(image.configDescriptor.digest()),
                blobPath(image.layer1Descriptor.digest()), blobPath(image.layer2Descriptor.digest()));
        for (Digest digest : List.of(image.manifest.digest(), image.configDescriptor.digest(),
                image.layer1Descriptor.digest(), image.layer2Descriptor.digest())) {
            assertThat(layout.resolve(blobPath(digest))).hasBinaryContent(image.blobContent(digest));
        }
    }

    @Test
    void umociUnpacksTheLayersInOrder() throws IOException {
        Path layout = tmp.resolve("layout");
        writer.write(layout, "latest", image.manifest, image.blobs(), image.reader());

        Path rootfs = Tools.umociUnpack(layout, "latest", tmp.resolve("bundle"));

        assertThat(ArchiveTestImage.filesUnder(rootfs)).isEqualTo(new TreeMap<>(ArchiveTestImage.EXPECTED_FILES));
        assertThat(Files.isExecutable(rootfs.resolve("app/run.sh"))).isTrue();
    }

    @Test
    void aSecondTagKeepsTheFirstAndReusesTheBlobsAlreadyThere() throws IOException {
        Path layout = tmp.resolve("layout");
        writer.write(layout, "1", image.manifest, image.blobs(), image.reader());
        Map<String, Object> blobKeys = fileKeys(layout, image.blobs());
        ArchiveTestImage rebuilt = image.withManifestAnnotation("second");

        writer.write(layout, "2", rebuilt.manifest, rebuilt.blobs(), rebuilt.reader());

        assertThat(rebuilt.reads).as("config and layers already present: the reader is not asked").isEmpty();
        assertThat(fileKeys(layout, image.blobs())).as("shared blobs are not rewritten").isEqualTo(blobKeys);
        assertThat(refs(layout)).containsExactly(
                Map.entry("1", image.manifest.digest().toString()),
                Map.entry("2", rebuilt.manifest.digest().toString()));
        assertThat(Tools.skopeo("inspect", "--raw", "oci:" + layout + ":1"))
                .isEqualTo(new String(image.manifest.bytes(), StandardCharsets.UTF_8));
        assertThat(Tools.skopeo("inspect", "--raw", "oci:" + layout + ":2"))
                .isEqualTo(new String(rebuilt.manifest.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void writingATagAgainReplacesItsEntryInPlaceAndKeepsOthers() throws IOException {
        Path layout = tmp.resolve("layout");
        writer.write(layout, "keep", image.manifest, image.blobs(), image.reader());
        writer.write(layout, "1", image.manifest, image.blobs(), image.reader());
        writer.write(layout, "after", image.manifest, image.blobs(), image.reader());
        ArchiveTestImage rebuilt = image.withManifestAnnotation("moved");

        writer.write(layout, "1", rebuilt.manifest, rebuilt.blobs(), rebuilt.reader());

        assertThat(refs(layout)).containsExactly(
                Map.entry("keep", image.manifest.digest().toString()),
                Map.entry("1", rebuilt.manifest.digest().toString()),
                Map.entry("after", image.manifest.digest().toString()));
        assertThat(Tools.skopeo("inspect", "--raw", "oci:" + layout + ":1"))
                .isEqualTo(new String(rebuilt.manifest.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void concurrentWritersOfOneLayoutLoseNoTag() throws Exception {
        Path layout = tmp.resolve("layout");
        List<ArchiveTestImage> images = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            images.add(image.withManifestAnnotation("build-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                ArchiveTestImage each = images.get(i);
                String tag = "t" + i;
                writes.add(pool.submit(() -> writer.write(layout, tag, each.manifest, each.blobs(), each.reader())));
            }
            for (Future<?> write : writes) {
                write.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, String> refs = refs(layout);
        assertThat(refs).hasSize(images.size());
        for (int i = 0; i < images.size(); i++) {
            assertThat(refs).containsEntry("t" + i, images.get(i).manifest.digest().toString());
        }
    }

    @Test
    void keepsForeignIndexEntriesAndFieldsVerbatim() throws IOException {
        Path layout = tmp.resolve("layout");
        writer.write(layout, "1", image.manifest, image.blobs(), image.reader());
        // as another tool might leave it: an untagged entry with a platform, an index annotation
        String foreign = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + image.manifest.digest() + "\",\"size\":" + image.manifest.bytes().length
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}],\"annotations\":{\"made.by\":\"other\"}}";
        Files.writeString(layout.resolve("index.json"), foreign);

        writer.write(layout, "2", image.manifest, image.blobs(), image.reader());

        JsonNode index = ImageJson.MAPPER.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("annotations").path("made.by").asText()).isEqualTo("other");
        assertThat(index.path("manifests")).hasSize(2);
        assertThat(index.path("manifests").get(0).toString())
                .isEqualTo(ImageJson.MAPPER.readTree(foreign).path("manifests").get(0).toString());
        assertThat(index.path("manifests").get(1).path("annotations").path(OciLayoutWriter.REF_NAME).asText()).isEqualTo("2");
    }

    @Test
    void refusesADirectoryWithOtherFilesThatIsNoLayout() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(dir.resolve("README.txt"), "mine");

        assertThatThrownBy(() -> writer.write(dir, "1", image.manifest, image.blobs(), image.reader()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("not an OCI image layout");
        assertThat(listing(dir)).containsOnlyKeys("README.txt");
        assertThat(image.reads).isEmpty();
    }

    @Test
    void anUnwritableTargetIsAOneLineErrorNamingThePath() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        Path under = file.resolve("layout"); // a directory cannot be made inside a file

        assertThatThrownBy(() -> writer.write(under, "1", image.manifest, image.blobs(), image.reader()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(under.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> writer.write(file, "1", image.manifest, image.blobs(), image.reader()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a directory");
        assertThat(file).hasContent("x");
    }

    @Test
    void refusesBadTagsAndBlobListsThatDoNotCoverTheManifest() {
        Path layout = tmp.resolve("layout");

        assertThatThrownBy(() -> writer.write(layout, "bad tag", image.manifest, image.blobs(), image.reader()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("bad tag");
        assertThatThrownBy(() -> writer.write(layout, "1", image.manifest, image.layers(), image.reader()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(image.configDescriptor.digest().toString());
        assertThat(layout).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"flipped", "truncated", "extended"})
    void wrongBytesIntoANewDirectoryLeaveNothingBehind(String corruption) {
        Path layout = tmp.resolve("new/layout");
        BlobReader reader = image.corruptingReader(image.layer2Descriptor.digest(), content -> corrupt(content, corruption));

        assertThatThrownBy(() -> writer.write(layout, "1", image.manifest, image.blobs(), reader))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(image.layer2Descriptor.digest().toString());
        assertThat(image.reads).as("it failed on the last layer, after writing others")
                .contains(image.layer1Descriptor.digest(), image.layer2Descriptor.digest());
        assertThat(tmp.resolve("new")).as("created directories are removed again").doesNotExist();
    }

    @Test
    void wrongBytesLeaveAnExistingLayoutExactlyAsItWas() throws IOException {
        Path layout = tmp.resolve("layout");
        writer.write(layout, "1", image.manifest, image.blobs(), image.reader());
        byte[] indexBefore = Files.readAllBytes(layout.resolve("index.json"));
        Map<String, Object> before = listing(layout);
        ArchiveTestImage other = ArchiveTestImage.build(Files.createDirectories(tmp.resolve("other")), "changed\n");
        BlobReader reader = other.corruptingReader(other.layer1Descriptor.digest(), content -> corrupt(content, "flipped"));

        assertThatThrownBy(() -> writer.write(layout, "2", other.manifest, other.blobs(), reader))
                .isInstanceOf(DigestMismatchException.class);

        assertThat(layout.resolve("index.json")).hasBinaryContent(indexBefore);
        assertThat(listing(layout)).as("no new blob, no temp file").isEqualTo(before);
        assertThat(Tools.skopeo("inspect", "--raw", "oci:" + layout + ":1"))
                .isEqualTo(new String(image.manifest.bytes(), StandardCharsets.UTF_8));
    }

    private static byte[] corrupt(byte[] content, String how) {
        return switch (how) {
            case "flipped" -> {
                content[content.length / 2] ^= 0x01;
                yield content;
            }
            case "truncated" -> Arrays.copyOf(content, content.length - 1);
            case "extended" -> Arrays.copyOf(content, content.length + 1);
            default -> throw new IllegalArgumentException(how);
        };
    }

    private static String blobPath(Digest digest) {
        return "blobs/sha256/" + digest.hex();
    }

    /** Tag → manifest digest, in index order. */
    private static Map<String, String> refs(Path layout) throws IOException {
        Map<String, String> refs = new LinkedHashMap<>();
        for (JsonNode entry : ImageJson.MAPPER.readTree(layout.resolve("index.json").toFile()).path("manifests")) {
            refs.put(entry.path("annotations").path(OciLayoutWriter.REF_NAME).asText(), entry.path("digest").asText());
        }
        return refs;
    }

    /** Each blob file's identity and mtime: a rewrite (temp + rename) changes the inode. */
    private static Map<String, Object> fileKeys(Path layout, List<Descriptor> blobs) throws IOException {
        Map<String, Object> keys = new TreeMap<>();
        for (var blob : blobs) {
            BasicFileAttributes attributes = Files.readAttributes(layout.resolve(blobPath(blob.digest())), BasicFileAttributes.class);
            keys.put(blob.digest().hex(), List.of(attributes.fileKey(), attributes.lastModifiedTime()));
        }
        return keys;
    }

    /** Every path under {@code root} with its size (files) or "dir". */
    static Map<String, Object> listing(Path root) throws IOException {
        Map<String, Object> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                entries.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : Files.size(p));
            }
        }
        return entries;
    }
}
