package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.internal.build.BuildSupport.JobSources;
import dev.kiln.internal.build.BuildSupport.Node;
import dev.kiln.image.Digest;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static dev.kiln.internal.build.BuildSupport.blobWrites;
import static dev.kiln.internal.build.BuildSupport.config;
import static dev.kiln.internal.build.BuildSupport.kiln;
import static dev.kiln.internal.build.BuildSupport.layerDigests;
import static dev.kiln.internal.build.BuildSupport.manifest;
import static dev.kiln.internal.build.BuildSupport.rawConfig;
import static dev.kiln.internal.build.BuildSupport.rawManifest;
import static dev.kiln.internal.build.BuildSupport.texts;
import static dev.kiln.internal.build.BuildSupport.uploadedDigests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code Kiln.build} on a Flink-shaped base in one real registry, published to another: what the
 * target holds (manifest, config, file content, modes, owners), reproducibility, and what no-op and
 * warm rebuilds cost, counted in both registries' access logs.
 */
class BuildTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(11);
    @RegisterExtension
    static final SharedRegistry TARGET = SharedRegistry.plain(12);

    private static FlinkBase base;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pushBase() {
        base = FlinkBase.push(BASE.registry(), "flink/flink:1.18-java17");
    }

    private String freshTarget(String tag) {
        return TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/orders-") + ":" + tag;
    }

    /** The brief's build: conf directory and job jar on the base, with env, label and port. */
    private static BuildRequest.Builder orders(JobSources sources, String target) {
        return BuildRequest.from(base.ref())
                .add(sources.conf(), "/opt/flink/conf/")
                .add(sources.jobJar(), "/opt/flink/usrlib/job.jar")
                .env("JOB_NAME", "orders")
                .env("JAVA_HOME", "/opt/java/jdk-17")
                .label("org.opencontainers.image.source", "https://git.example.com/orders")
                .expose("8081")
                .expose("9249")
                .to(target);
    }

    @Test
    void buildOnABasePublishesManifestAndConfigDerivedFromTheBase() throws IOException {
        assumeThat(System.getenv("SOURCE_DATE_EPOCH")).as("the default creation time applies").isNull();
        JobSources sources = JobSources.create(tmp.resolve("src"), 1, 60_000);
        String target = freshTarget("1");
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(orders(sources, target).build());
        }

        String raw = rawManifest(target);
        assertThat(BuildSupport.sha256(raw).toString()).as("the tag names the manifest the build reports")
                .isEqualTo(result.digest());
        assertThat(result.image()).isEqualTo(target + "@" + result.digest());
        assertThat(result.base().reference()).isEqualTo(base.ref());
        assertThat(result.base().digest()).isEqualTo(base.digest().toString());
        assertThat(result.layers()).extracting(BuildResult.AppLayer::destination)
                .containsExactly("/opt/flink/conf/", "/opt/flink/usrlib/job.jar");

        JsonNode manifest = BuildSupport.json(raw);
        assertThat(manifest.get("schemaVersion").asInt()).isEqualTo(2);
        assertThat(manifest.get("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
        List<String> expectedLayers = new ArrayList<>();
        base.layers().forEach(l -> expectedLayers.add(l.digest().toString()));
        result.layers().forEach(l -> expectedLayers.add(l.digest()));
        assertThat(layerDigests(manifest)).as("the base's layers, then one per --add").containsExactlyElementsOf(expectedLayers);
        for (int i = 0; i < base.layers().size(); i++) {
            JsonNode layer = manifest.get("layers").get(i);
            assertThat(layer.get("size").asLong()).isEqualTo(base.layers().get(i).size());
            assertThat(layer.get("mediaType").asText()).as("a Docker gzip layer listed in OCI terms")
                    .isEqualTo(MediaTypes.OCI_LAYER_GZIP);
        }
        for (int i = 0; i < 2; i++) {
            JsonNode layer = manifest.get("layers").get(base.layers().size() + i);
            assertThat(layer.get("mediaType").asText()).isEqualTo(MediaTypes.OCI_LAYER_GZIP);
            assertThat(layer.get("size").asLong()).isEqualTo(result.layers().get(i).size());
        }
        assertThat(manifest.get("annotations").get("org.opencontainers.image.base.name").asText()).isEqualTo(base.ref());
        assertThat(manifest.get("annotations").get("org.opencontainers.image.base.digest").asText())
                .isEqualTo(base.digest().toString());

        String rawConfig = rawConfig(target);
        assertThat(manifest.get("config").get("mediaType").asText()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(manifest.get("config").get("digest").asText()).isEqualTo(BuildSupport.sha256(rawConfig).toString());
        JsonNode config = BuildSupport.json(rawConfig);
        JsonNode runtime = config.get("config");
        assertThat(texts(runtime.get("Env"))).as("base variables kept in place (JAVA_HOME replaced), new ones appended")
                .containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "JAVA_HOME=/opt/java/jdk-17", "FLINK_HOME=/opt/flink", "JOB_NAME=orders");
        assertThat(runtime.get("Labels").get("org.apache.flink.version").asText()).as("base label kept").isEqualTo("1.18.1");
        assertThat(runtime.get("Labels").get("org.opencontainers.image.source").asText()).isEqualTo("https://git.example.com/orders");
        List<String> ports = new ArrayList<>();
        runtime.get("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactlyInAnyOrder("6123/tcp", "8081/tcp", "9249/tcp");
        assertThat(texts(runtime.get("Entrypoint"))).as("inherited").containsExactly("/docker-entrypoint.sh");
        assertThat(texts(runtime.get("Cmd"))).as("inherited").containsExactly("help");
        assertThat(runtime.get("WorkingDir").asText()).isEqualTo("/opt/flink");
        assertThat(runtime.get("StopSignal").asText()).as("fields Kiln does not model pass through").isEqualTo("SIGTERM");
        Platform host = Platform.host();
        assertThat(config.get("os").asText()).isEqualTo(host.os());
        assertThat(config.get("architecture").asText()).isEqualTo(host.architecture());
        assertThat(config.get("created").asText()).isEqualTo("1970-01-01T00:00:00Z");

        List<String> diffIds = texts(config.get("rootfs").get("diff_ids"));
        assertThat(diffIds).hasSize(5);
        assertThat(diffIds.subList(0, 3)).as("the base's diff ids first").containsExactlyElementsOf(base.diffIds());
        // the two new diff ids are the sha256 of the uncompressed layers the registry serves
        Path blobs = tmp.resolve("blobs");
        Skopeo.copy("docker://" + target, "dir:" + blobs, "--src-tls-verify=false");
        for (int i = 0; i < 2; i++) {
            String layerDigest = result.layers().get(i).digest();
            byte[] tar = gunzip(Files.readAllBytes(blobs.resolve(Digest.parse(layerDigest).hex())));
            assertThat(diffIds.get(3 + i)).isEqualTo(Digest.sha256(tar).toString());
        }

        JsonNode history = config.get("history");
        assertThat(history).hasSize(4 + 2 + 1);
        assertThat(history.get(0).get("created_by").asText()).as("base history kept").isEqualTo("ADD jre /opt/java/openjdk");
        assertThat(history.get(3).get("empty_layer").asBoolean()).isTrue();
        for (int i = 4; i < 7; i++) {
            assertThat(history.get(i).get("created").asText()).isEqualTo("1970-01-01T00:00:00Z");
        }
        assertThat(history.get(4).get("created_by").asText()).contains("conf").contains("/opt/flink/conf/");
        assertThat(history.get(5).get("created_by").asText()).contains("job.jar").contains("/opt/flink/usrlib/job.jar");
        assertThat(history.get(6).get("empty_layer").asBoolean()).as("the config change").isTrue();
        long layerEntries = 0;
        for (JsonNode entry : history) {
            if (!entry.path("empty_layer").asBoolean(false)) {
                layerEntries++;
            }
        }
        assertThat(layerEntries).as("one non-empty history entry per layer").isEqualTo(diffIds.size());
    }

    @Test
    void theImageHoldsTheAddedFilesWithTheirBytesModesOwnersAndLinks() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 2, 40_000);
        String target = freshTarget("1");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            kiln.build(BuildRequest.from(base.ref())
                    .add(sources.conf(), "/opt/flink/conf/")
                    .add(sources.jobJar(), "/opt/flink/usrlib/job.jar", 1000, 1000)
                    .to(target).build());
        }

        Path rootfs = BuildSupport.unpackFromRegistry(target, tmp.resolve("unpacked"));
        Path conf = rootfs.resolve("opt/flink/conf");
        Map<String, Node> confTree = BuildSupport.tree(conf);
        assertThat(confTree.keySet()).as("our files, plus the base's file we did not replace")
                .containsExactly("extra", "extra/state.yaml", "flink-conf.yaml", "log4j-console.properties", "log4j.properties",
                        "passwd-link", "pre-start.sh", "secrets.properties");
        assertThat(conf.resolve("flink-conf.yaml")).as("our layer is above the base's").hasContent(JobSources.FLINK_CONF);
        assertThat(conf.resolve("log4j.properties")).hasContent(JobSources.LOG4J);
        assertThat(conf.resolve("secrets.properties")).hasContent(JobSources.SECRETS);
        assertThat(conf.resolve("pre-start.sh")).hasContent(JobSources.HOOK);
        assertThat(conf.resolve("extra/state.yaml")).hasContent(JobSources.NESTED);
        assertThat(conf.resolve("log4j-console.properties")).hasBinaryContent(base.files().get("opt/flink/conf/log4j-console.properties"));

        assertThat(confTree.get("flink-conf.yaml")).isEqualTo(new Node('f', 0644, 0, 0, null));
        assertThat(confTree.get("secrets.properties")).as("0600 kept").isEqualTo(new Node('f', 0600, 0, 0, null));
        assertThat(confTree.get("pre-start.sh")).as("executable kept").isEqualTo(new Node('f', 0755, 0, 0, null));
        assertThat(confTree.get("extra")).isEqualTo(new Node('d', 0750, 0, 0, null));
        assertThat(confTree.get("passwd-link")).as("a link out of the source stays a link, never its target's content")
                .isEqualTo(new Node('l', 0777, 0, 0, JobSources.LINK_TARGET));
        assertThat(Files.getLastModifiedTime(conf.resolve("flink-conf.yaml"), LinkOption.NOFOLLOW_LINKS))
                .as("entries carry the build time, not the files' mtimes").isEqualTo(FileTime.from(Instant.EPOCH));

        Path usrlib = rootfs.resolve("opt/flink/usrlib");
        assertThat(BuildSupport.tree(usrlib).keySet()).containsExactly("job.jar");
        assertThat(usrlib.resolve("job.jar")).hasBinaryContent(sources.jar());
        assertThat(Node.of(usrlib.resolve("job.jar"))).as("--add SRC:DEST:1000:1000").isEqualTo(new Node('f', 0644, 1000, 1000, null));
        assertThat(Node.of(usrlib)).as("a directory the layer does not list is created by the runtime, not owned by --add's owner")
                .isEqualTo(new Node('d', 0755, 0, 0, null));

        // the base is intact below
        for (String file : List.of("opt/java/openjdk/lib/modules", "opt/flink/lib/flink-dist.jar", "docker-entrypoint.sh")) {
            assertThat(rootfs.resolve(file)).hasBinaryContent(base.files().get(file));
        }
        assertThat(Node.of(rootfs.resolve("docker-entrypoint.sh")).mode()).isEqualTo(0755);
    }

    @Test
    void sameInputsInFreshCachesGiveTheSameDigestAndTheTimeChangesIt() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 3, 30_000);
        String repo = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/repro-");
        BuildResult first;
        try (Kiln kiln = kiln(tmp.resolve("cache-1"))) {
            first = kiln.build(orders(sources, repo + ":a").build());
        }

        // the same content elsewhere, every mtime moved: a fresh checkout on another CI machine
        JobSources copy = JobSources.create(tmp.resolve("elsewhere"), 3, 30_000);
        Instant later = Instant.now().plus(3, ChronoUnit.HOURS);
        try (Stream<Path> paths = Files.walk(tmp.resolve("elsewhere"))) {
            for (Path p : paths.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.from(later));
                }
            }
        }
        BuildResult second;
        try (Kiln kiln = kiln(tmp.resolve("cache-2"))) {
            second = kiln.build(orders(copy, repo + ":b").build());
        }
        assertThat(second.layers()).as("built, not reused").noneMatch(BuildResult.AppLayer::cached);
        assertThat(second.layers()).extracting(BuildResult.AppLayer::digest)
                .containsExactlyElementsOf(first.layers().stream().map(BuildResult.AppLayer::digest).toList());
        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(rawManifest(repo + ":b")).isEqualTo(rawManifest(repo + ":a"));

        Instant epoch = Instant.parse("2024-05-01T10:00:00Z");
        BuildResult timed;
        try (Kiln kiln = kiln(tmp.resolve("cache-3"))) {
            timed = kiln.build(orders(sources, repo + ":c").time(epoch).build());
        }
        assertThat(timed.digest()).isNotEqualTo(first.digest());
        assertThat(timed.layers().get(0).digest()).as("entry mtimes are the build time").isNotEqualTo(first.layers().get(0).digest());
        JsonNode config = config(repo + ":c");
        assertThat(config.get("created").asText()).isEqualTo("2024-05-01T10:00:00Z");
        assertThat(config.get("history").get(config.get("history").size() - 1).get("created").asText())
                .isEqualTo("2024-05-01T10:00:00Z");
        try (Kiln kiln = kiln(tmp.resolve("cache-4"))) {
            assertThat(kiln.build(orders(copy, repo + ":d").time(epoch).build()).digest())
                    .as("reproducible with an explicit time too").isEqualTo(timed.digest());
        }
    }

    @Test
    void noOpRebuildUploadsNothingAndDoesNotAskTheBaseRegistry() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 4, 30_000);
        String target = freshTarget("1");
        Path cache = tmp.resolve("cache");
        BuildResult first;
        try (Kiln kiln = kiln(cache)) {
            first = kiln.build(orders(sources, target).build());
        }
        assertThat(first.blobsUploaded()).as("the first build uploads everything").isEqualTo(6);

        RegistryFixture baseRegistry = BASE.registry();
        RegistryFixture targetRegistry = TARGET.registry();
        long baseMark = baseRegistry.mark();
        long targetMark = targetRegistry.mark();
        BuildResult again;
        try (Kiln kiln = kiln(cache)) { // the next CI run: a new process on the same cache
            again = kiln.build(orders(sources, target).build());
        }
        List<AccessLogEntry> targetLog = targetRegistry.requestsSince(targetMark);
        assertThat(baseRegistry.requestsSince(baseMark)).as("the cached base costs nothing").isEmpty();
        assertThat(blobWrites(targetLog)).isEmpty();
        assertThat(targetLog).as("one HEAD finds the tag already on this image; nothing is written")
                .containsExactly(new AccessLogEntry("HEAD", "/v2/" + target.substring(target.indexOf('/') + 1, target.lastIndexOf(':'))
                        + "/manifests/1", 200));
        assertThat(again.requests()).isEqualTo(1);
        assertThat(again.digest()).isEqualTo(first.digest());
        assertThat(again.blobsUploaded()).isZero();
        assertThat(again.bytesUploaded()).isZero();
        assertThat(again.bytesDownloaded()).isZero();
        assertThat(again.layers()).allMatch(BuildResult.AppLayer::cached);
        assertThat(again.base().source()).isEqualTo("cache");
    }

    @Test
    void warmRebuildWithANewJarUploadsOnlyTheNewLayerAndConfig() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 5, 50_000);
        String repo = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/warm-");
        Path cache = tmp.resolve("cache");
        BuildResult v1;
        try (Kiln kiln = kiln(cache)) {
            v1 = kiln.build(orders(sources, repo + ":1").build());
        }

        sources.newJar(55, 50_000);
        RegistryFixture baseRegistry = BASE.registry();
        RegistryFixture targetRegistry = TARGET.registry();
        long baseMark = baseRegistry.mark();
        long targetMark = targetRegistry.mark();
        BuildResult v2;
        try (Kiln kiln = kiln(cache)) {
            v2 = kiln.build(orders(sources, repo + ":2").build());
        }
        List<AccessLogEntry> targetLog = targetRegistry.requestsSince(targetMark);
        assertThat(baseRegistry.requestsSince(baseMark)).isEmpty();

        JsonNode manifest = manifest(repo + ":2");
        String jarLayer = layerDigests(manifest).get(4);
        String config = manifest.get("config").get("digest").asText();
        assertThat(uploadedDigests(targetLog)).as("completed uploads: the new layer and the new config")
                .containsExactlyInAnyOrder(jarLayer, config);
        List<AccessLogEntry> writes = blobWrites(targetLog);
        assertThat(writes).as("one POST (202) and one PUT (201) per uploaded blob, nothing else").hasSize(4);
        assertThat(writes).filteredOn(e -> e.method().equals("POST"))
                .hasSize(2).allMatch(e -> e.status() == 202 && e.path().matches("/v2/jobs/warm-\\d+/blobs/uploads/"));
        assertThat(writes).filteredOn(e -> e.method().equals("PUT")).hasSize(2).allMatch(e -> e.status() == 201);

        assertThat(v2.blobsUploaded()).isEqualTo(2);
        assertThat(v2.blobsSkipped()).as("3 base layers and the conf layer").isEqualTo(4);
        assertThat(v2.layers().get(0).cached()).as("conf unchanged: reused").isTrue();
        assertThat(v2.layers().get(1).cached()).as("new jar: built").isFalse();
        assertThat(v2.layers().get(0).digest()).isEqualTo(v1.layers().get(0).digest());
        assertThat(v2.layers().get(1).digest()).isEqualTo(jarLayer).isNotEqualTo(v1.layers().get(1).digest());
        assertThat(v2.bytesDownloaded()).isZero();
    }

    @Test
    void scratchBuildHasOneLayerAndTheHostPlatform() throws IOException {
        Path file = Files.writeString(tmp.resolve("x"), "hello from scratch\n");
        String target = freshTarget("scratch");
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(BuildRequest.scratch().add(file, "/app/x").to(target).build());
        }
        assertThat(result.base()).isNull();
        JsonNode manifest = manifest(target);
        assertThat(manifest.get("layers")).hasSize(1);
        assertThat(layerDigests(manifest)).containsExactly(result.layers().get(0).digest());
        assertThat(manifest.has("annotations")).as("no base to name").isFalse();
        JsonNode config = config(target);
        Platform host = Platform.host();
        assertThat(config.get("os").asText()).isEqualTo(host.os());
        assertThat(config.get("architecture").asText()).isEqualTo(host.architecture());
        assertThat(config.get("rootfs").get("type").asText()).isEqualTo("layers");
        assertThat(config.get("rootfs").get("diff_ids")).hasSize(1);

        Path rootfs = BuildSupport.unpackFromRegistry(target, tmp.resolve("unpacked"));
        assertThat(BuildSupport.tree(rootfs).keySet()).containsExactly("app", "app/x");
        assertThat(rootfs.resolve("app/x")).hasContent("hello from scratch\n");
    }

    @Test
    void entrypointWithoutCmdClearsTheBaseCmdAndUserAndWorkingDirAreSet() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 6, 10_000);
        String target = freshTarget("1");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            kiln.build(BuildRequest.from(base.ref())
                    .add(sources.jobJar(), "/opt/flink/usrlib/job.jar")
                    .entrypoint(List.of("/opt/flink/bin/flink", "run"))
                    .user("9999:9999")
                    .workingDir("/opt/flink/usrlib")
                    .expose("6123/udp")
                    .env("PATH", "/opt/flink/bin:/usr/bin:/bin")
                    .to(target).build());
        }
        JsonNode runtime = config(target).get("config");
        assertThat(texts(runtime.get("Entrypoint"))).containsExactly("/opt/flink/bin/flink", "run");
        assertThat(runtime.has("Cmd") && !runtime.get("Cmd").isNull()).as("as in a Dockerfile, the base's Cmd is cleared").isFalse();
        assertThat(runtime.get("User").asText()).isEqualTo("9999:9999");
        assertThat(runtime.get("WorkingDir").asText()).isEqualTo("/opt/flink/usrlib");
        assertThat(texts(runtime.get("Env")).get(0)).isEqualTo("PATH=/opt/flink/bin:/usr/bin:/bin");
        assertThat(texts(runtime.get("Env"))).hasSize(3);
        List<String> ports = new ArrayList<>();
        runtime.get("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactlyInAnyOrder("6123/tcp", "6123/udp", "8081/tcp");

        String withCmd = freshTarget("cmd");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            kiln.build(BuildRequest.from(base.ref()).add(sources.jobJar(), "/opt/flink/usrlib/job.jar")
                    .cmd(List.of("standalone-job", "--job-classname", "com.example.Orders"))
                    .to(withCmd).build());
        }
        JsonNode cmdRuntime = config(withCmd).get("config");
        assertThat(texts(cmdRuntime.get("Entrypoint"))).as("inherited").containsExactly("/docker-entrypoint.sh");
        assertThat(texts(cmdRuntime.get("Cmd"))).containsExactly("standalone-job", "--job-classname", "com.example.Orders");
        assertThat(cmdRuntime.get("User")).as("not set, not invented").isNull();
    }

    @Test
    void baseThatIsAnIndexContributesTheRequestedPlatformsImage() throws IOException {
        List<Platform> platforms = List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"));
        TestImages.PushedIndex index = BASE.images().pushIndex("flink/multi:1.18", platforms, 20_000, 10_000);
        Path file = Files.writeString(tmp.resolve("x"), "x\n");
        for (Platform platform : platforms) {
            String target = freshTarget(platform.architecture());
            BuildResult result;
            try (Kiln kiln = kiln(tmp.resolve("cache"))) {
                result = kiln.build(BuildRequest.from(index.reference().toString()).platform(platform.toString())
                        .add(file, "/app/x").to(target).build());
            }
            TestImages.Pushed image = index.images().get(platform.toString());
            JsonNode manifest = manifest(target);
            List<String> expected = new ArrayList<>(image.layers().stream().map(l -> l.digest().toString()).toList());
            expected.add(result.layers().get(0).digest());
            assertThat(layerDigests(manifest)).as(platform.toString()).containsExactlyElementsOf(expected);
            assertThat(config(target).get("architecture").asText()).isEqualTo(platform.architecture());
            assertThat(result.base().digest()).isEqualTo(image.digest().toString());
            assertThat(manifest.get("annotations").get("org.opencontainers.image.base.name").asText())
                    .isEqualTo(index.reference().toString());
        }
    }

    /**
     * Docker and BuildKit give a {@code COPY --chown} owner only to the parent directories they
     * <em>create</em>; directories the base already has keep their owner. Kiln's layers carry every
     * parent of DEST owned by the {@code --add} owner, so the base's {@code /opt} and
     * {@code /opt/flink} become owned by uid 1000 — who may then replace anything under them
     * (e.g. {@code /opt/java}). Enable once the layer format is fixed.
     */
    @Test
    void addWithAnOwnerDoesNotChownTheBasesExistingParentDirectories() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 7, 10_000);
        String target = freshTarget("1");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            kiln.build(BuildRequest.from(base.ref()).add(sources.jobJar(), "/opt/flink/usrlib/job.jar", 1000, 1000)
                    .to(target).build());
        }
        Path rootfs = BuildSupport.unpackFromRegistry(target, tmp.resolve("unpacked"));
        assertThat(Node.of(rootfs.resolve("opt"))).isEqualTo(new Node('d', 0755, 0, 0, null));
        assertThat(Node.of(rootfs.resolve("opt/flink"))).isEqualTo(new Node('d', 0755, 0, 0, null));
        assertThat(Node.of(rootfs.resolve("opt/flink/usrlib/job.jar")).uid()).isEqualTo(1000);
    }

    @Test
    void cachedLayerChangedOnDiskIsRebuiltNotPublished() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 8, 30_000);
        Path cache = tmp.resolve("cache");
        BuildResult first;
        try (Kiln kiln = kiln(cache)) {
            first = kiln.build(orders(sources, freshTarget("1")).build());
        }
        Path jarBlob = cache.resolve("store/blobs/sha256/" + Digest.parse(first.layers().get(1).digest()).hex());
        assertThat(jarBlob).exists();
        byte[] bytes = Files.readAllBytes(jarBlob);
        bytes[bytes.length / 2] ^= 0x55;
        jarBlob.toFile().setWritable(true);
        Files.write(jarBlob, bytes); // bit rot, or a careless tool

        String target = freshTarget("1");
        BuildResult second;
        try (Kiln kiln = kiln(cache)) {
            second = kiln.build(orders(sources, target).build());
        }
        assertThat(second.layers().get(0).cached()).isTrue();
        assertThat(second.layers().get(1).cached()).as("the damaged layer is not reused").isFalse();
        assertThat(second.digest()).isEqualTo(first.digest());
        Path copy = tmp.resolve("copy");
        Skopeo.copy("docker://" + target, "dir:" + copy, "--src-tls-verify=false");
        byte[] published = Files.readAllBytes(copy.resolve(Digest.parse(first.layers().get(1).digest()).hex()));
        assertThat(Digest.sha256(published).toString()).isEqualTo(first.layers().get(1).digest());
    }

    private static byte[] gunzip(byte[] gzipped) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return in.readAllBytes();
        }
    }
}
