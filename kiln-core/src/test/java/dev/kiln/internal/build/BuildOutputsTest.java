package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.Destination;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.internal.build.BuildSupport.JobSources;
import dev.kiln.image.Digest;
import dev.kiln.image.MediaTypes;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.kiln.internal.build.BuildSupport.json;
import static dev.kiln.internal.build.BuildSupport.kiln;
import static dev.kiln.internal.build.BuildSupport.layerDigests;
import static dev.kiln.internal.build.BuildSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;

/** The other targets: an OCI layout directory, a {@code docker load} tar, and zstd layers in a registry. */
class BuildOutputsTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(31);
    @RegisterExtension
    static final SharedRegistry TARGET = SharedRegistry.plain(32);


    @TempDir
    Path tmp;


    private static BuildRequest.Builder job(JobSources sources) {
        return BuildRequest.from(BASE.flinkBase().ref())
                .add(sources.conf(), "/opt/flink/conf/")
                .add(sources.jobJar(), "/opt/flink/usrlib/job.jar")
                .env("JOB_NAME", "orders");
    }

    /** The job's files and the base's, as every target must hold them. */
    private static void assertJobImage(Path rootfs, JobSources sources) {
        assertThat(rootfs.resolve("opt/flink/conf/flink-conf.yaml")).hasContent(JobSources.FLINK_CONF);
        assertThat(rootfs.resolve("opt/flink/conf/secrets.properties")).hasContent(JobSources.SECRETS);
        assertThat(BuildSupport.Node.of(rootfs.resolve("opt/flink/conf/pre-start.sh")).mode()).isEqualTo(0755);
        assertThat(BuildSupport.Node.of(rootfs.resolve("opt/flink/conf/passwd-link")).linkTarget()).isEqualTo(JobSources.LINK_TARGET);
        assertThat(rootfs.resolve("opt/flink/usrlib/job.jar")).hasBinaryContent(sources.jar());
        assertThat(rootfs.resolve("opt/flink/lib/flink-dist.jar")).hasBinaryContent(BASE.flinkBase().files().get("opt/flink/lib/flink-dist.jar"));
    }

    @Test
    void ociLayoutTargetIsReadBySkopeoAndUnpackedByUmoci() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 61, 30_000);
        Path layout = tmp.resolve("out/layout");
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(job(sources).to("oci:" + layout + ":v1").build());
        }
        assertThat(result.image()).isEqualTo("oci:" + layout + ":v1");
        assertThat(result.blobsUploaded()).isZero();

        String raw = Skopeo.run("--insecure-policy", "inspect", "--raw", "oci:" + layout + ":v1");
        assertThat(BuildSupport.sha256(raw).toString()).isEqualTo(result.digest());
        JsonNode manifest = json(raw);
        assertThat(manifest.get("layers")).hasSize(5);
        assertThat(manifest.get("annotations").get("org.opencontainers.image.base.digest").asText())
                .isEqualTo(BASE.flinkBase().digest().toString());

        Path rootfs = BuildSupport.umociUnpack(layout, "v1", tmp.resolve("bundle"));
        assertJobImage(rootfs, sources);
    }

    @Test
    void dockerArchiveTargetIsReadBySkopeoWithItsName() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 62, 30_000);
        Path tar = Files.createDirectories(tmp.resolve("images")).resolve("orders.tar");
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(job(sources).to(Destination.tar(tar, "jobs/orders:1")).build());
        }
        assertThat(result.image()).isEqualTo("tar:" + tar);
        assertThat(tar).isRegularFile();

        JsonNode inspect = json(Skopeo.run("--insecure-policy", "inspect", "docker-archive:" + tar));
        assertThat(texts(inspect.get("Env"))).contains("FLINK_HOME=/opt/flink", "JOB_NAME=orders");
        assertThat(inspect.get("Layers")).hasSize(5);
        JsonNode config = json(Skopeo.run("--insecure-policy", "inspect", "--config", "--raw", "docker-archive:" + tar));
        assertThat(texts(config.get("rootfs").get("diff_ids")).subList(0, 3)).containsExactlyElementsOf(BASE.flinkBase().diffIds());
        String manifestJson = new String(BuildSupport.run("tar", "-xOf", tar.toString(), "manifest.json"), StandardCharsets.UTF_8);
        assertThat(texts(json(manifestJson).get(0).get("RepoTags"))).as("docker load names it")
                .containsExactly("jobs/orders:1");

        Path layout = tmp.resolve("converted");
        Skopeo.copy("docker-archive:" + tar, "oci:" + layout + ":t");
        Path rootfs = BuildSupport.umociUnpack(layout, "t", tmp.resolve("bundle"));
        assertJobImage(rootfs, sources);
    }

    @Test
    void zstdLayersArePublishedWithTheZstdMediaType() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 63, 30_000);
        String target = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/zstd-") + ":1";
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(job(sources).compression("zstd").to(target).build());
        }
        assertThat(result.layers()).noneMatch(BuildResult.AppLayer::cached);
        String gzipTarget = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/gzip-") + ":1";
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            BuildResult gzip = kiln.build(job(sources).to(gzipTarget).build());
            assertThat(gzip.layers()).as("a zstd layer is not reused for gzip").noneMatch(BuildResult.AppLayer::cached);
            assertThat(gzip.layers().get(1).digest()).isNotEqualTo(result.layers().get(1).digest());
            assertThat(kiln.build(job(sources).compression("zstd").to(target).build()).layers())
                    .as("but for zstd again").allMatch(BuildResult.AppLayer::cached);
        }
        JsonNode manifest = BuildSupport.manifest(target);
        List<String> types = new ArrayList<>();
        manifest.get("layers").forEach(layer -> types.add(layer.get("mediaType").asText()));
        assertThat(types).as("the base's layers are reused as they are; ours are zstd").containsExactly(
                MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP,
                MediaTypes.OCI_LAYER_ZSTD, MediaTypes.OCI_LAYER_ZSTD);

        // the zstd layers decompress (with the zstd tool) to the tars the config's diff ids name, with our files
        List<String> diffIds = texts(BuildSupport.config(target).get("rootfs").get("diff_ids"));
        Path blobs = tmp.resolve("blobs");
        Skopeo.copy("docker://" + target, "dir:" + blobs, "--src-tls-verify=false");
        for (int i = 0; i < 2; i++) {
            Path blob = blobs.resolve(Digest.parse(result.layers().get(i).digest()).hex());
            Path layerTar = tmp.resolve("layer" + i + ".tar");
            BuildSupport.run("zstd", "-q", "-d", "-f", blob.toString(), "-o", layerTar.toString());
            assertThat(Digest.sha256(Files.readAllBytes(layerTar)).toString()).isEqualTo(diffIds.get(3 + i));
            String listing = new String(BuildSupport.run("tar", "-tf", layerTar.toString()), StandardCharsets.UTF_8);
            assertThat(listing.lines().toList()).contains(i == 0 ? "opt/flink/conf/flink-conf.yaml" : "opt/flink/usrlib/job.jar");
        }
        Path jar = tmp.resolve("extracted");
        Files.createDirectories(jar);
        BuildSupport.run("tar", "-xf", tmp.resolve("layer1.tar").toString(), "-C", jar.toString());
        assertThat(jar.resolve("opt/flink/usrlib/job.jar")).hasBinaryContent(sources.jar());
    }

    @Test
    void baseListingOneBlobSeveralTimesBuildsToEveryTarget() throws IOException {
        FlinkBase withEmptyLayers = FlinkBase.push(BASE.registry(), BASE.freshRepository("flink/buildkit-") + ":1.18", 2);
        assertThat(withEmptyLayers.layers().get(3)).isEqualTo(withEmptyLayers.layers().get(4));
        JobSources sources = JobSources.create(tmp.resolve("src"), 64, 20_000);
        BuildRequest.Builder request = BuildRequest.from(withEmptyLayers.ref())
                .add(sources.conf(), "/opt/flink/conf/")
                .add(sources.jobJar(), "/opt/flink/usrlib/job.jar");
        String registryTarget = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/dup-") + ":1";
        Path layout = tmp.resolve("layout");
        Path tar = tmp.resolve("image.tar");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            long mark = TARGET.registry().mark();
            BuildResult pushed = kiln.build(request.to(registryTarget).build());
            assertThat(layerDigests(BuildSupport.manifest(registryTarget))).hasSize(7);
            assertThat(pushed.blobsUploaded()).as("4 distinct base layers, 2 of ours, the config").isEqualTo(7);
            assertThat(BuildSupport.uploadedDigests(TARGET.registry().requestsSince(mark)))
                    .as("the twice-listed layer is uploaded once").hasSize(7)
                    .containsOnlyOnce(withEmptyLayers.layers().get(3).digest().toString());
            kiln.build(request.to("oci:" + layout + ":v1").build());
            kiln.build(request.to(Destination.tar(tar, "jobs/dup:1")).build());
        }
        Path fromRegistry = BuildSupport.unpackFromRegistry(registryTarget, tmp.resolve("unpacked-registry"));
        assertThat(fromRegistry.resolve("opt/flink/usrlib/job.jar")).hasBinaryContent(sources.jar());

        Path fromLayout = BuildSupport.umociUnpack(layout, "v1", tmp.resolve("unpacked-layout"));
        assertThat(fromLayout.resolve("opt/flink/usrlib/job.jar")).hasBinaryContent(sources.jar());

        JsonNode inspect = json(Skopeo.run("--insecure-policy", "inspect", "docker-archive:" + tar));
        assertThat(inspect.get("Layers")).hasSize(7);
        Path converted = tmp.resolve("converted");
        Skopeo.copy("docker-archive:" + tar, "oci:" + converted + ":t");
        Path fromTar = BuildSupport.umociUnpack(converted, "t", tmp.resolve("unpacked-tar"));
        assertThat(fromTar.resolve("opt/flink/usrlib/job.jar")).hasBinaryContent(sources.jar());
        assertThat(fromTar.resolve("opt/flink/lib/flink-dist.jar")).hasBinaryContent(withEmptyLayers.files().get("opt/flink/lib/flink-dist.jar"));
    }
}
