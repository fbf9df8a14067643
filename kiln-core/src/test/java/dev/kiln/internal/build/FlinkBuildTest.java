package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.api.FlinkBuildRequest;
import dev.kiln.api.FlinkBuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.KilnEvent;
import dev.kiln.image.Platform;
import dev.kiln.internal.flink.FlinkJob;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.FlinkCrd;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestJars;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.kiln.internal.build.BuildSupport.config;
import static dev.kiln.internal.build.BuildSupport.kiln;
import static dev.kiln.internal.build.BuildSupport.kilnBuilder;
import static dev.kiln.internal.build.BuildSupport.manifest;
import static dev.kiln.internal.build.BuildSupport.texts;
import static dev.kiln.internal.build.BuildSupport.unpackFromRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Kiln.buildFlink} against real registries: a Flink-shaped base, a real Flink job jar from
 * Maven Central ({@code flink-examples-streaming}), the image unpacked by umoci, and the
 * {@code FlinkDeployment} read by the Flink Kubernetes Operator's own API model.
 */
class FlinkBuildTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(51);
    @RegisterExtension
    static final SharedRegistry TARGET = SharedRegistry.plain(52);

    private static final String WORD_COUNT = "org.apache.flink.streaming.examples.wordcount.WordCount";
    private static final String LOG4J = "rootLogger.level = WARN\n";
    private static final String CORE_SITE = "<configuration><property><name>fs.defaultFS</name><value>hdfs://nn:8020</value></property></configuration>\n";
    private static final ObjectMapper OPERATOR_YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);


    @TempDir
    Path tmp;


    /** The real job jar: flink-examples-streaming 1.18.1, as Maven resolved it for the tests (a test dependency). */
    private static Path examplesJar() {
        String url = FlinkBuildTest.class.getClassLoader().getResource(WORD_COUNT.replace('.', '/') + ".class").toString();
        try {
            return Path.of(new URI(url.substring("jar:".length(), url.indexOf("!/"))));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path jar(String name, String mainClass, String content) throws IOException {
        return TestJars.withMainClass(tmp.resolve("jars").resolve(name), mainClass, content);
    }

    private Path connector() throws IOException {
        return jar("flink-connector-orders.jar", null, "connector");
    }

    /** The job with conf, a lib and Hadoop configuration, to {@code repoAndTag} of the target registry. */
    private FlinkBuildRequest.Builder job(Path jobJar, String repoAndTag) throws IOException {
        Path conf = tmp.resolve("conf/log4j-console.properties");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, LOG4J);
        Path hadoop = tmp.resolve("hadoop");
        Files.createDirectories(hadoop);
        Files.writeString(hadoop.resolve("core-site.xml"), CORE_SITE);
        Files.setPosixFilePermissions(hadoop.resolve("core-site.xml"), PosixFilePermissions.fromString("rw-r-----"));
        return FlinkBuildRequest.builder()
                .base(BASE.flinkBase().ref())
                .flinkVersion("1.18")
                .jobJar(jobJar)
                .mainClass(WORD_COUNT)
                .lib(connector())
                .conf(conf)
                .hadoopConf(hadoop)
                .to(TARGET.registry().hostPort() + "/" + repoAndTag)
                .parallelism(2)
                .taskSlots(2)
                .jobArg("--output")
                .jobArg("/tmp/out");
    }

    @Test
    void theImageHasHadoopConfConfLibsAndTheJobUnderFlinkHomeWithLabelsAndTheBasesConfig() throws IOException {
        FlinkBuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.buildFlink(job(examplesJar(), "jobs/word-count:1").build());
        }

        assertThat(result.flinkHome()).isEqualTo("/opt/flink");
        assertThat(result.jarUri()).isEqualTo("local:///opt/flink/usrlib/" + examplesJar().getFileName());
        assertThat(result.mainClass()).isEqualTo(WORD_COUNT);
        assertThat(result.image()).startsWith(TARGET.registry().hostPort() + "/jobs/word-count@sha256:");
        assertThat(result.build().layers()).extracting(l -> l.destination()).containsExactly(
                FlinkJob.HADOOP_CONF_DIR + "/", "/opt/flink/conf/", "/opt/flink/lib/", "/opt/flink/usrlib/" + examplesJar().getFileName());

        Path rootfs = unpackFromRegistry(result.image(), tmp.resolve("unpacked"));
        assertThat(rootfs.resolve("opt/flink/usrlib").resolve(examplesJar().getFileName().toString()))
                .hasSameBinaryContentAs(examplesJar());
        assertThat(rootfs.resolve("opt/flink/lib/flink-connector-orders.jar")).exists();
        assertThat(rootfs.resolve("opt/flink/lib/flink-dist.jar")).as("the base's lib stays").exists();
        assertThat(rootfs.resolve("opt/flink/conf/log4j-console.properties")).hasContent(LOG4J);
        assertThat(rootfs.resolve("opt/flink/conf/flink-conf.yaml")).as("the base's conf stays").hasContent(FlinkBase.BASE_CONF);
        assertThat(rootfs.resolve("opt/hadoop/conf/core-site.xml")).hasContent(CORE_SITE);
        assertThat(BuildSupport.Node.of(rootfs.resolve("opt/hadoop/conf/core-site.xml")).mode()).isEqualTo(0640);

        JsonNode config = config(result.image()).get("config");
        assertThat(texts(config.get("Env"))).containsAll(FlinkBase.BASE_ENV).contains("HADOOP_CONF_DIR=" + FlinkJob.HADOOP_CONF_DIR);
        assertThat(config.get("Labels").get(FlinkJob.LABEL_JAR).asText()).isEqualTo("/opt/flink/usrlib/" + examplesJar().getFileName());
        assertThat(config.get("Labels").get(FlinkJob.LABEL_MAIN_CLASS).asText()).isEqualTo(WORD_COUNT);
        assertThat(texts(config.get("Entrypoint"))).as("the base's entrypoint").isNotEmpty();
        assertThat(manifest(result.image()).get("layers")).hasSize(BASE.flinkBase().layers().size() + 4);
    }

    @Test
    void moreLibrariesThanDockerRunsLayersShareOneLayerAndTheImageStaysWithinTheLimit() throws IOException {
        FlinkBuildRequest.Builder request = job(examplesJar(), "jobs/many-libs:1");
        int libs = FlinkJob.MAX_IMAGE_LAYERS;
        for (int i = 0; i < libs; i++) {
            request.lib(jar("lib-" + i + ".jar", null, "library " + i));
        }
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            FlinkBuildResult result = kiln.buildFlink(request.build());
            FlinkBuildResult again = kiln.buildFlink(request.build());

            assertThat(result.build().layers()).extracting(l -> l.destination()).containsExactly(
                    FlinkJob.HADOOP_CONF_DIR + "/", "/opt/flink/conf/", "/opt/flink/lib/", "/opt/flink/usrlib/" + examplesJar().getFileName());
            assertThat(manifest(result.image()).get("layers").size()).isEqualTo(BASE.flinkBase().layers().size() + 4)
                    .isLessThanOrEqualTo(FlinkJob.MAX_IMAGE_LAYERS);
            assertThat(again.build().layers()).as("the same libraries: the shared layer is reused").allMatch(l -> l.cached());
            assertThat(again.image()).isEqualTo(result.image());

            Path rootfs = unpackFromRegistry(result.image(), tmp.resolve("unpacked"));
            assertThat(rootfs.resolve("opt/flink/lib/flink-connector-orders.jar")).exists();
            for (int i = 0; i < libs; i++) {
                assertThat(rootfs.resolve("opt/flink/lib/lib-" + i + ".jar")).hasSameBinaryContentAs(tmp.resolve("jars/lib-" + i + ".jar"));
            }
        }
    }

    @Test
    void aNewReleaseOfTheJobUploadsOnlyTheJobLayerAndTheConfig() throws IOException {
        Path v1 = jar("orders.jar", "com.example.Orders", "release 1");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            FlinkBuildResult first = kiln.buildFlink(job(v1, "jobs/orders:1").build());
            Path v2 = jar("orders.jar", "com.example.Orders", "release 2");
            FlinkBuildResult second = kiln.buildFlink(job(v2, "jobs/orders:2").build());

            assertThat(first.build().blobsUploaded()).isEqualTo(BASE.flinkBase().layers().size() + 4 + 1);
            assertThat(second.build().blobsUploaded()).as("the job layer and the config").isEqualTo(2);
            assertThat(second.build().layers()).extracting(l -> l.cached()).containsExactly(true, true, true, false);
            assertThat(second.build().bytesUploaded()).isLessThan(Files.size(v2) + 10_000);
        }
    }

    @Test
    void theDeploymentIsReadByTheOperatorsModelAndRunsTheImageByDigest() throws IOException {
        FlinkBuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.buildFlink(job(examplesJar(), "jobs/word-count:deploy").serviceAccount("flink-jobs")
                    .jobManager("1600m", 0.5).taskManager("4g", 2.0).upgradeMode("savepoint").build());
        }

        FlinkDeployment deployment = OPERATOR_YAML.readValue(result.deploymentYaml(), FlinkDeployment.class);
        assertThat(FlinkCrd.problems(result.deploymentYaml())).isEmpty();
        assertThat(deployment.getMetadata().getName()).isEqualTo("word-count");
        assertThat(deployment.getSpec().getImage()).isEqualTo(result.image());
        assertThat(deployment.getSpec().getFlinkVersion()).isEqualTo(FlinkVersion.v1_18);
        assertThat(deployment.getSpec().getServiceAccount()).isEqualTo("flink-jobs");
        assertThat(deployment.getSpec().getFlinkConfiguration()).containsEntry("taskmanager.numberOfTaskSlots", "2");
        assertThat(deployment.getSpec().getLogConfiguration()).containsEntry("log4j-console.properties", LOG4J);
        assertThat(deployment.getSpec().getJobManager().getResource().getMemory()).isEqualTo("1600m");
        assertThat(deployment.getSpec().getJobManager().getResource().getCpu()).isEqualTo(0.5);
        assertThat(deployment.getSpec().getTaskManager().getResource().getMemory()).isEqualTo("4g");
        assertThat(deployment.getSpec().getJob().getJarURI()).isEqualTo(result.jarUri());
        assertThat(deployment.getSpec().getJob().getEntryClass()).isEqualTo(WORD_COUNT);
        assertThat(deployment.getSpec().getJob().getArgs()).containsExactly("--output", "/tmp/out");
        assertThat(deployment.getSpec().getJob().getParallelism()).isEqualTo(2);
        assertThat(deployment.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);

        assertThat(result.nativeArgs()).startsWith("run-application", "--target", "kubernetes-application")
                .contains("-Dkubernetes.container.image.ref=" + result.image(), "-Dkubernetes.cluster-id=word-count",
                        "-Dkubernetes.service-account=flink-jobs", "-Dparallelism.default=2", "--class", WORD_COUNT)
                .endsWith(result.jarUri(), "--output", "/tmp/out");
        assertThat(result.nativeCommand()).contains("\nflink run-application \\\n  --target");
    }

    @Test
    void twoPlatformsMakeAnIndexThatTheDeploymentRunsByDigest() throws IOException {
        List<Platform> platforms = List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"));
        TestImages.PushedIndex multi = BASE.images().pushIndex("flink/multi:1.18", platforms, 8_000);
        FlinkBuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.buildFlink(job(examplesJar(), "jobs/multi:1").base(multi.reference().toString())
                    .platform("linux/amd64,linux/arm64").build());
        }
        JsonNode index = BuildSupport.json(Skopeo.inspectRaw(TARGET.registry().hostPort() + "/jobs/multi:1", false, null));
        assertThat(index.get("manifests")).hasSize(2);
        assertThat(result.image()).isEqualTo(TARGET.registry().hostPort() + "/jobs/multi@" + result.build().digest());
        assertThat(result.build().platforms()).hasSize(2);
        assertThat(result.deploymentYaml()).contains("image: " + result.image());
        assertThat(FlinkCrd.problems(result.deploymentYaml())).isEmpty();
    }

    @Test
    void theConfFilesSettingsReachTheDeploymentAGivenOptionWinsAndTheLogSaysWhatWentWhere() throws IOException {
        Path conf = tmp.resolve("job-conf/flink-conf.yaml");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "taskmanager.numberOfTaskSlots: 2\nstate.backend.type: rocksdb\nparallelism.default: 4\n");
        List<KilnEvent> events = new CopyOnWriteArrayList<>();
        FlinkBuildResult result;
        try (Kiln kiln = kilnBuilder(tmp.resolve("cache")).listener(events::add).build()) {
            // the job's builder gives parallelism 2 and 2 task slots; here slots are left to the file, parallelism given
            result = kiln.buildFlink(job(examplesJar(), "jobs/conf:1").conf(conf).taskSlots(null).parallelism(3).build());
        }

        FlinkDeployment deployment = OPERATOR_YAML.readValue(result.deploymentYaml(), FlinkDeployment.class);
        assertThat(FlinkCrd.problems(result.deploymentYaml())).isEmpty();
        assertThat(deployment.getSpec().getFlinkConfiguration()).containsEntry("taskmanager.numberOfTaskSlots", "2")
                .containsEntry("state.backend.type", "rocksdb").containsEntry("parallelism.default", "3");
        assertThat(deployment.getSpec().getJob().getParallelism()).isEqualTo(3);
        assertThat(deployment.getSpec().getLogConfiguration()).containsOnlyKeys("log4j-console.properties");
        assertThat(result.nativeArgs()).contains("-Dtaskmanager.numberOfTaskSlots=2", "-Dstate.backend.type=rocksdb", "-Dparallelism.default=3");
        assertThat(result.build().layers()).extracting(l -> l.destination()).as("the image still carries the files")
                .containsSubsequence("/opt/flink/conf/", "/opt/flink/conf/");
        assertThat(events).filteredOn(e -> e instanceof KilnEvent.Info).extracting(e -> ((KilnEvent.Info) e).message()).containsExactly(
                "flink-conf.yaml: 3 settings → the FlinkDeployment's flinkConfiguration and the native-mode -D arguments, "
                        + "and /opt/flink/conf/ in the image",
                "log4j-console.properties → the FlinkDeployment's logConfiguration and /opt/flink/conf/ in the image",
                "--parallelism 3 wins over parallelism.default: 4 in flink-conf.yaml");
    }

    @Test
    void theEntryClassComesFromTheJarsManifestWhenNotGiven() throws IOException {
        Path jar = jar("manifest-main.jar", "com.example.FromManifest", "job");
        FlinkBuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.buildFlink(job(jar, "jobs/manifest-main:1").mainClass(null).build());
        }
        assertThat(result.mainClass()).isEqualTo("com.example.FromManifest");
        assertThat(config(result.image()).get("config").get("Labels").get(FlinkJob.LABEL_MAIN_CLASS).asText())
                .isEqualTo("com.example.FromManifest");
    }

    @Test
    void badInputIsRefusedBeforeAnyRequest() throws IOException {
        Path notAJar = tmp.resolve("job.jar");
        Files.writeString(notAJar, "not a zip at all");
        long baseMark = BASE.registry().mark();
        long targetMark = TARGET.registry().mark();
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            assertThatThrownBy(() -> kiln.buildFlink(job(notAJar, "jobs/bad:1").build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("is not a jar");
            assertThatThrownBy(() -> kiln.buildFlink(job(examplesJar(), "jobs/bad:1").lib(tmp.resolve("missing.jar")).build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("does not exist");
            assertThatThrownBy(() -> kiln.buildFlink(FlinkBuildRequest.builder().flinkVersion("1.9").jobJar(examplesJar())
                    .to(TARGET.registry().hostPort() + "/jobs/x:1").build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown Flink version 1.9");
            assertThatThrownBy(() -> kiln.buildFlink(job(examplesJar(), "jobs/bad:1").deploymentName("Not_A_Name").build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("invalid deployment name");
            assertThatThrownBy(() -> kiln.buildFlink(job(examplesJar(), "jobs/bad:1").jobManager("lots", 1.0).build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("invalid memory 'lots'");
            Path coreSite = Files.writeString(tmp.resolve("core-site.xml"), CORE_SITE);
            assertThatThrownBy(() -> kiln.buildFlink(job(examplesJar(), "jobs/bad:1").conf(coreSite).build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("hides every other file")
                    .hasMessageContaining("--add SRC:DEST");
        }
        assertThat(BASE.registry().requestsSince(baseMark)).isEmpty();
        assertThat(TARGET.registry().requestsSince(targetMark)).isEmpty();
    }

    @Test
    void aTargetThatIsNotARegistryHasNoDeployment() throws IOException {
        FlinkBuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.buildFlink(job(examplesJar(), "jobs/x:1").to("oci:" + tmp.resolve("layout") + ":job").build());
        }
        assertThat(result.image()).isNull();
        assertThat(result.deploymentYaml()).isNull();
        assertThat(result.nativeArgs()).isEmpty();
        assertThat(result.flinkVersion()).isEqualTo("1.18");
    }
}
