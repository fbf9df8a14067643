package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.FlinkCrd;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestJars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln flink build} against a real registry: output, files written, and usage errors. */
class FlinkCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(53);

    private static FlinkBase base;

    @TempDir
    Path cache;

    @TempDir
    Path work;

    @BeforeAll
    static void pushBase() {
        base = FlinkBase.push(REGISTRY.registry(), "flink/flink:1.18");
    }

    private Path jobJar(String release) throws IOException {
        return TestJars.withMainClass(work.resolve("orders.jar"), "com.example.Orders", release);
    }

    private List<String> args(String... more) throws IOException {
        Path conf = Files.writeString(work.resolve("flink-conf.yaml"), "parallelism.default: 4\n");
        List<String> all = new ArrayList<>(List.of("flink", "build", "--base", base.ref(), "--job-jar", jobJar("1").toString(),
                "--conf", conf.toString(), "--to", REGISTRY.registry().hostPort() + "/jobs/orders:1"));
        all.addAll(Arrays.asList(more));
        return all;
    }

    @Test
    void buildsPublishesAndWritesTheDeploymentAndTheNativeCommand() throws IOException {
        Path deployment = work.resolve("out/orders.yaml");
        Path nativeCommand = work.resolve("out/run.sh");

        Cli.Result result = Cli.ok(cache, args("--deployment-out", deployment.toString(), "--native-args-out", nativeCommand.toString(),
                "--parallelism", "3", "--json").toArray(String[]::new));

        JsonNode json = result.json();
        String image = json.path("image").asText();
        assertThat(image).matches(REGISTRY.registry().hostPort() + "/jobs/orders@sha256:[0-9a-f]{64}");
        assertThat(json.path("jarUri").asText()).isEqualTo("local:///opt/flink/usrlib/orders.jar");
        assertThat(json.path("mainClass").asText()).isEqualTo("com.example.Orders");
        assertThat(json.path("flinkVersion").asText()).isEqualTo("1.18");
        assertThat(json.path("build").path("layers")).hasSize(2);
        assertThat(json.path("build").path("durationMs").asLong()).isPositive();
        assertThat(Files.readString(deployment)).contains("kind: FlinkDeployment", "image: " + image, "flinkVersion: v1_18",
                "parallelism: 3", "entryClass: com.example.Orders");
        assertThat(Files.readString(nativeCommand)).startsWith("flink run-application")
                .contains("-Dkubernetes.container.image.ref=" + image, "-Dparallelism.default=3");
        assertThat(FlinkCrd.problems(Files.readString(deployment))).isEmpty();
    }

    @Test
    void theConfFilesSettingsGoIntoTheDeploymentAndAFileTheJobReadsGoesWhereAddSays() throws IOException {
        Path deployment = work.resolve("out/orders.yaml");
        Path nativeCommand = work.resolve("out/run.sh");
        Path rules = Files.writeString(work.resolve("rules.json"), "{}");
        Path config = Files.writeString(work.resolve("config.yaml"), "taskmanager:\n  numberOfTaskSlots: 2\nstate.backend.type: rocksdb\n");

        Cli.Result result = Cli.ok(cache, "flink", "build", "--base", base.ref(), "--job-jar", jobJar("1").toString(),
                "--conf", config.toString(), "--add", rules + ":/opt/flink/job-conf/rules.json", "--to",
                REGISTRY.registry().hostPort() + "/jobs/orders:2", "--deployment-out", deployment.toString(),
                "--native-args-out", nativeCommand.toString(), "--task-slots", "2");

        assertThat(Files.readString(deployment)).contains("taskmanager.numberOfTaskSlots: \"2\"", "state.backend.type: rocksdb");
        assertThat(FlinkCrd.problems(Files.readString(deployment))).isEmpty();
        assertThat(Files.readString(nativeCommand)).contains("-Dtaskmanager.numberOfTaskSlots=2", "-Dstate.backend.type=rocksdb");
        assertThat(result.err()).contains("flink conf: config.yaml: 2 settings → the FlinkDeployment's flinkConfiguration")
                .as("the same value given: nothing to say").doesNotContain("wins over");
        assertThat(result.out()).contains("3 layers added");
    }

    @Test
    void humanOutputNamesTheImageAndTheJob() throws IOException {
        Cli.Result result = Cli.ok(cache, args("--parallelism", "3").toArray(String[]::new));
        assertThat(result.out()).contains("/jobs/orders:1@sha256:", "job local:///opt/flink/usrlib/orders.jar (com.example.Orders)");
        assertThat(result.err()).contains("resolve base", "layer 2/2",
                "flink conf: flink-conf.yaml: 1 setting → the FlinkDeployment's flinkConfiguration and the native-mode -D arguments, "
                        + "and /opt/flink/conf/ in the image")
                .as("the given option wins over the file's, and the log says so")
                .contains("flink conf: --parallelism 3 wins over parallelism.default: 4 in flink-conf.yaml");

        Cli.Result quiet = Cli.ok(cache, args("-q").toArray(String[]::new));
        assertThat(quiet.out()).as("-q: exactly the result line").isEqualTo(result.out().lines().findFirst().orElseThrow() + "\n")
                .matches(java.util.regex.Pattern.quote(REGISTRY.registry().hostPort() + "/jobs/orders:1@sha256:") + "[0-9a-f]{64}\n");
        assertThat(quiet.err()).isEmpty();
    }

    @Test
    void usageErrorsExitWithTwoAndPublishNothing() throws IOException {
        Path notAJar = Files.writeString(work.resolve("job.jar"), "text");
        long mark = REGISTRY.registry().mark();

        Cli.Result badJar = Cli.run(cache, "flink", "build", "--base", base.ref(), "--job-jar", notAJar.toString(),
                "--to", REGISTRY.registry().hostPort() + "/jobs/bad:1");
        Cli.Result unknownVersion = Cli.run(cache, "flink", "build", "--flink-version", "0.9", "--job-jar", jobJar("1").toString(),
                "--to", REGISTRY.registry().hostPort() + "/jobs/bad:1");
        Cli.Result localDeployment = Cli.run(cache, "flink", "build", "--base", base.ref(), "--job-jar", jobJar("1").toString(),
                "--to", "oci:" + work.resolve("layout"), "--deployment-out", work.resolve("d.yaml").toString());

        assertThat(badJar.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(badJar.errorLines()).singleElement().asString().contains("is not a jar");
        assertThat(unknownVersion.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(unknownVersion.errorLines()).singleElement().asString().contains("unknown Flink version 0.9");
        assertThat(localDeployment.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(localDeployment.errorLines()).singleElement().asString().contains("need a registry target");
        Path coreSite = Files.writeString(work.resolve("core-site.xml"), "<configuration/>");
        Cli.Result hiddenConf = Cli.run(cache, "flink", "build", "--base", base.ref(), "--job-jar", jobJar("1").toString(),
                "--conf", coreSite.toString(), "--to", REGISTRY.registry().hostPort() + "/jobs/bad:1");
        Cli.Result hiddenAdd = Cli.run(cache, "flink", "build", "--base", base.ref(), "--job-jar", jobJar("1").toString(),
                "--add", coreSite + ":/opt/flink/conf/core-site.xml", "--to", REGISTRY.registry().hostPort() + "/jobs/bad:1");
        assertThat(hiddenConf.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(hiddenConf.errorLines()).singleElement().asString().contains("hides every other file", "--add SRC:DEST");
        assertThat(hiddenAdd.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(hiddenAdd.errorLines()).singleElement().asString().contains("is under /opt/flink/conf");
        Path noEntry = work.resolve("no-entry.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(noEntry))) {
            out.putNextEntry(new JarEntry("release.txt"));
        }
        Cli.Result noEntryClass = Cli.run(cache, "flink", "build", "--base", base.ref(), "--job-jar", noEntry.toString(),
                "--to", REGISTRY.registry().hostPort() + "/jobs/bad:1");
        assertThat(noEntryClass.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(noEntryClass.errorLines()).singleElement().asString().contains("names no entry class", "--main-class");
        assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
        assertThat(work.resolve("d.yaml")).doesNotExist();
    }

    @Test
    void aFlinkVersionThatContradictsTheBaseIsAnErrorAndPublishesNothing() throws IOException {
        long mark = REGISTRY.registry().mark();
        Cli.Result contradiction = Cli.run(cache, "flink", "build", "--base", base.ref(), "--flink-version", "1.17",
                "--job-jar", jobJar("1").toString(), "--to", REGISTRY.registry().hostPort() + "/jobs/contradiction:1",
                "--deployment-out", work.resolve("d.yaml").toString());
        // found once the base is resolved, so after work began: exit 1 by the README's rule
        assertThat(contradiction.exitCode()).as("%s", contradiction).isEqualTo(KilnCommand.FAILURE);
        assertThat(contradiction.errorLines()).singleElement().asString()
                .contains("--flink-version 1.17 contradicts the base", "holds Flink 1.18");
        assertThat(REGISTRY.registry().requestsSince(mark)).as("nothing pushed")
                .noneMatch(e -> e.path().contains("/jobs/contradiction/"));
        assertThat(work.resolve("d.yaml")).doesNotExist();

        Cli.Result same = Cli.run(cache, "flink", "build", "--base", base.ref(), "--flink-version", "1.18.1",
                "--job-jar", jobJar("1").toString(), "--to", REGISTRY.registry().hostPort() + "/jobs/contradiction:1");
        assertThat(same.exitCode()).as("the same major.minor is no contradiction: %s", same).isZero();
    }
}
