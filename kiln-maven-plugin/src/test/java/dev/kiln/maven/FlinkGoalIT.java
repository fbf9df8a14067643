package dev.kiln.maven;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FlinkCrd;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import dev.kiln.testing.Umoci;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mvn package kiln:flink} on the sample projects, pushing to a real registry on a Flink-shaped base there. */
class FlinkGoalIT {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(17);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper OPERATOR_YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @TempDir
    Path work;

    private String[] args(Path cache, String... goals) {
        return Stream.concat(Stream.of("-Dregistry=" + REGISTRY.registry().hostPort(), "-Dkiln.cacheDir=" + cache,
                "-Dkiln.base=" + REGISTRY.flinkBase().ref()), Stream.of(goals)).toArray(String[]::new);
    }

    @Test
    void theKafkaJobsImageHasTheConnectorButNotFlinkAndADeploymentTheOperatorReads() throws IOException {
        Path project = MavenBuild.sample("orders", work.resolve("orders"));
        Path cache = work.resolve("cache");

        MavenBuild.Result build = MavenBuild.ok(project, args(cache, "package", "kiln:flink"));

        assertThat(build.output()).contains("[INFO] kiln: resolve base", "[INFO] kiln: publish",
                "org.apache.flink:flink-connector-base:jar:1.18.1 not copied: Flink's own, in the distribution",
                "org.xerial.snappy:snappy-java:jar:1.1.10.4 not copied: comes with org.apache.flink:flink-streaming-java, Flink's own",
                "org.lz4:lz4-java:jar:1.8.0 not copied: comes with org.apache.flink:flink-streaming-java, Flink's own",
                "for $FLINK_HOME/usrlib/");
        Path out = project.resolve("target/kiln");
        String digest = Files.readString(out.resolve("image-digest")).strip();
        JsonNode json = JSON.readTree(out.resolve("image.json").toFile());
        assertThat(json.path("build").path("digest").asText()).isEqualTo(digest);
        assertThat(json.path("build").path("durationMs").asLong()).as("the CLI's --json shape").isPositive();
        assertThat(json.path("jarUri").asText()).isEqualTo("local:///opt/flink/usrlib/orders-1.0.jar");
        assertThat(json.path("build").path("layers")).extracting(l -> l.path("destination").asText())
                .containsExactly("/opt/flink/conf/", "/opt/flink/usrlib/", "/opt/flink/usrlib/orders-1.0.jar");

        String yaml = Files.readString(out.resolve("flinkdeployment.yaml"));
        assertThat(FlinkCrd.problems(yaml)).isEmpty();
        FlinkDeployment deployment = OPERATOR_YAML.readValue(yaml, FlinkDeployment.class);
        assertThat(deployment.getSpec().getImage()).isEqualTo(REGISTRY.registry().hostPort() + "/jobs/orders@" + digest);
        assertThat(deployment.getSpec().getFlinkVersion()).isEqualTo(FlinkVersion.v1_18);
        assertThat(deployment.getSpec().getJob().getJarURI()).isEqualTo("local:///opt/flink/usrlib/orders-1.0.jar");
        assertThat(deployment.getSpec().getJob().getEntryClass()).isEqualTo("com.example.orders.OrdersJob");
        assertThat(deployment.getSpec().getJob().getParallelism()).isEqualTo(2);
        assertThat(deployment.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
        assertThat(deployment.getSpec().getJob().getArgs()).containsExactly("orders");
        assertThat(deployment.getSpec().getFlinkConfiguration()).containsEntry("taskmanager.numberOfTaskSlots", "2");

        Path rootfs = unpack("jobs/orders:1.0");
        assertThat(names(rootfs.resolve("opt/flink/usrlib"))).contains("orders-1.0.jar", "flink-connector-kafka-3.1.0-1.18.jar")
                .anyMatch(name -> name.matches("kafka-clients-[0-9.]+\\.jar"))
                .noneMatch(name -> name.startsWith("flink-connector-base") || name.startsWith("flink-streaming-java")
                        || name.startsWith("flink-core") || name.startsWith("flink-shaded"));
        assertThat(rootfs.resolve("opt/flink/usrlib/orders-1.0.jar")).hasSameBinaryContentAs(project.resolve("target/orders-1.0.jar"));
        assertThat(rootfs.resolve("opt/flink/conf/flink-conf.yaml")).hasContent("taskmanager.numberOfTaskSlots: 2");
        assertThat(rootfs.resolve("opt/flink/lib/flink-dist.jar")).as("the base's Flink").exists();

        // a new release of the job: one class changed, one layer (and the config) uploaded
        Path describe = project.resolve("src/main/java/com/example/orders/Describe.java");
        Files.writeString(describe, Files.readString(describe).replace("\"order \"", "\"new order \""));
        long mark = REGISTRY.registry().mark();

        MavenBuild.ok(project, args(cache, "package", "kiln:flink"));

        JsonNode second = JSON.readTree(out.resolve("image.json").toFile());
        assertThat(second.path("build").path("layers")).extracting(l -> l.path("cached").asBoolean()).containsExactly(true, true, false);
        List<AccessLogEntry> uploads = REGISTRY.registry().requestsSince(mark).stream()
                .filter(r -> r.method().equals("PUT") && r.path().contains("/blobs/uploads/")).toList();
        assertThat(uploads).as("the job jar's layer and the image config").hasSize(2);
        assertThat(second.path("build").path("bytesUploaded").asLong()).isLessThan(Files.size(project.resolve("target/orders-1.0.jar")) + 10_000);

        // Maven offline: the base comes from the store, its registry is not asked, whatever the policy given
        long offlineMark = REGISTRY.registry().mark();
        MavenBuild.Result offline = MavenBuild.ok(project, args(cache, "-o", "-Dkiln.policy=always", "package", "kiln:flink"));
        assertThat(offline.output()).contains("[INFO] kiln: publish");
        assertThat(REGISTRY.registry().requestsSince(offlineMark)).noneMatch(r -> r.path().startsWith("/v2/flink/"));
    }

    @Test
    void aWrongTargetFailsTheBuildWithKilnsOneLineAndSkipSkips() throws IOException {
        Path project = MavenBuild.sample("orders", work.resolve("orders"));
        String[] wrongTarget = args(work.resolve("cache"), "-Dkiln.to=" + REGISTRY.registry().hostPort() + "/Jobs/Orders:1",
                "package", "kiln:flink");
        long mark = REGISTRY.registry().mark();

        MavenBuild.Result wrong = MavenBuild.run(project, wrongTarget);

        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.errorLines()).first().asString()
                .startsWith("Failed to execute goal dev.kiln:kiln-maven-plugin:" + MavenBuild.VERSION + ":flink")
                .contains("invalid reference '" + REGISTRY.registry().hostPort() + "/Jobs/Orders:1': repository name must be lowercase")
                .endsWith("-> [Help 1]");
        assertThat(REGISTRY.registry().requestsSince(mark)).as("checked before any request").isEmpty();

        MavenBuild.Result missingConf = MavenBuild.run(project, args(work.resolve("cache"), "-Dkiln.conf=src/main/no-such-conf",
                "package", "kiln:flink"));
        assertThat(missingConf.exitCode()).isEqualTo(1);
        assertThat(missingConf.errorLines()).first().asString().contains("<conf> '" + project.resolve("src/main/no-such-conf")
                + "' does not exist");

        MavenBuild.Result skipped = MavenBuild.ok(project, args(work.resolve("cache"), "-Dkiln.skip", "package", "kiln:flink"));
        assertThat(skipped.output()).contains("[INFO] kiln: skipped (kiln.skip)");
        assertThat(project.resolve("target/kiln")).doesNotExist();
    }

    @Test
    void aShadedJobsDependenciesAreNotCopiedAgain() throws IOException {
        Path project = MavenBuild.sample("shaded", work.resolve("shaded"));

        MavenBuild.Result build = MavenBuild.ok(project, args(work.resolve("cache"), "package"));

        assertThat(build.output()).contains("org.apache.commons:commons-lang3:jar:3.14.0 not copied: the job jar holds it already "
                + "(its META-INF/maven/org.apache.commons/commons-lang3/pom.properties)");
        JsonNode json = JSON.readTree(project.resolve("target/kiln/image.json").toFile());
        assertThat(json.path("build").path("layers")).extracting(l -> l.path("destination").asText())
                .containsExactly("/opt/flink/usrlib/shaded-job-3.1.jar");
        assertThat(json.path("mainClass").asText()).isEqualTo("com.example.shaded.Shout");
        Path rootfs = unpack("jobs/shout:3.1");
        assertThat(names(rootfs.resolve("opt/flink/usrlib"))).containsExactly("shaded-job-3.1.jar");
        assertThat(rootfs.resolve("opt/flink/usrlib/shaded-job-3.1.jar")).hasSameBinaryContentAs(project.resolve("target/shaded-job-3.1.jar"));
    }

    @Test
    void atTheRootOfAMultiModuleBuildTheAggregatorIsSkippedAndTheJobModuleBuilt() throws IOException {
        Path project = MavenBuild.sample("multi", work.resolve("multi"));

        MavenBuild.Result build = MavenBuild.ok(project, args(work.resolve("cache"), "-Dkiln.from=" + REGISTRY.flinkBase().ref(),
                "package", "kiln:flink", "kiln:build"));

        assertThat(build.output().lines().filter(l -> l.equals("[INFO] kiln: skipped (packaging pom)"))).as("both goals").hasSize(2);
        assertThat(project.resolve("target/kiln")).doesNotExist();
        assertThat(Files.readString(project.resolve("job/target/kiln/flinkdeployment.yaml")))
                .contains("image: " + REGISTRY.registry().hostPort() + "/jobs/counter@sha256:", "entryClass: com.example.multi.Counter");
    }

    @Test
    void releasedDependenciesSnapshotsAndTheJobAreThreeLayers() throws IOException {
        installTinyLib();
        Path project = MavenBuild.sample("snapshot-user", work.resolve("snapshot-user"));

        MavenBuild.ok(project, args(work.resolve("cache"), "-Dkiln.libDir=lib", "package", "kiln:flink"));

        JsonNode json = JSON.readTree(project.resolve("target/kiln/image.json").toFile());
        assertThat(json.path("build").path("layers")).extracting(l -> l.path("source").asText())
                .containsExactly(project.resolve("target/kiln/libs/released").toString(), project.resolve("target/kiln/libs/snapshots").toString(),
                        project.resolve("target/snapshot-user-2.0-SNAPSHOT.jar").toString());
        Path rootfs = unpack("jobs/greeter:2");
        assertThat(names(rootfs.resolve("opt/flink/usrlib"))).containsExactly("snapshot-user-2.0-SNAPSHOT.jar");
        assertThat(names(rootfs.resolve("opt/flink/lib"))).as("<libDir>lib</libDir>: beside the base's flink-dist.jar")
                .containsExactly("commons-lang3-3.14.0.jar", "flink-dist.jar", "tiny-lib-1.0-SNAPSHOT.jar");
    }

    @Test
    void withoutABaseTheOfficialImageOfTheProjectsFlinkAndJavaVersionsIsTheBase() throws IOException {
        installTinyLib();
        Path project = MavenBuild.sample("snapshot-user", work.resolve("snapshot-user"));

        // policy never and an empty store: the build names the base it would need, and fails before any request
        MavenBuild.Result build = MavenBuild.run(project, "-Dregistry=" + REGISTRY.registry().hostPort(),
                "-Dkiln.cacheDir=" + work.resolve("cache"), "-Dkiln.policy=never", "package", "kiln:flink");

        assertThat(build.exitCode()).isEqualTo(1);
        assertThat(build.errorLines()).first().asString().contains("flink:1.18.1-scala_2.12-java11");
    }

    @Test
    void credentialsComeFromTheSettingsServerNamedForTheRegistryHost() throws IOException {
        try (RegistryFixture secured = RegistryFixture.basicAuth()) {
            Path project = MavenBuild.sample("shaded", work.resolve("shaded"));
            Path settings = Files.writeString(work.resolve("settings.xml"), "<settings><servers><server><id>" + secured.hostPort()
                    + "</id><username>" + secured.username() + "</username><password>" + secured.password()
                    + "</password></server></servers></settings>");
            String[] target = {"-Dregistry=" + secured.hostPort(), "-Dkiln.cacheDir=" + work.resolve("cache"),
                    "-Dkiln.base=" + REGISTRY.flinkBase().ref(), "package"};

            MavenBuild.Result anonymous = MavenBuild.run(project, target);
            MavenBuild.Result withSettings = MavenBuild.run(project, Stream.concat(Stream.of("-s", settings.toString()),
                    Stream.of(target)).toArray(String[]::new));

            assertThat(anonymous.exitCode()).isEqualTo(1);
            assertThat(withSettings.exitCode()).as(withSettings.output()).isZero();
            assertThat(withSettings.output()).doesNotContain(secured.password());
            assertThat(Skopeo.inspectRaw("docker://" + secured.hostPort() + "/jobs/shout:3.1", false, secured.credentials())).contains("layers");
        }
    }

    /** The snapshot library the snapshot-user sample depends on, installed into the local repository once per run. */
    private static synchronized void installTinyLib() throws IOException {
        if (!tinyLibInstalled) {
            MavenBuild.ok(MavenBuild.sample("tiny-lib", Files.createDirectories(Path.of("target/it-projects/tiny-lib"))), "install");
            tinyLibInstalled = true;
        }
    }

    private static boolean tinyLibInstalled;

    private Path unpack(String repoAndTag) {
        Path layout = work.resolve("layout");
        Skopeo.copy("docker://" + REGISTRY.registry().hostPort() + "/" + repoAndTag, "oci:" + layout + ":it", "--src-tls-verify=false");
        return Umoci.unpack(layout, "it", work.resolve("bundle-" + repoAndTag.replaceAll("[/:]", "-")));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
