package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln build -f Dockerfile --build-arg … CONTEXT} against a real registry. */
class DockerfileBuildCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(72);

    private static FlinkBase base;

    @TempDir
    Path cache;

    @TempDir
    Path context;

    @BeforeAll
    static void pushBase() {
        base = FlinkBase.push(REGISTRY.registry(), "flink/flink:1.18");
    }

    @Test
    void buildsTheDockerfileOfAFlinkJobWithBuildArguments() throws IOException {
        Files.writeString(context.resolve("job.jar"), "the job");
        Path dockerfile = Files.writeString(context.resolve("Dockerfile"),
                "ARG BASE_IMAGE\nFROM --platform=$TARGETPLATFORM ${BASE_IMAGE}\nARG JOB=orders\nCOPY job.jar $FLINK_HOME/usrlib/${JOB}.jar\n"
                        + "LABEL job=${JOB}\n");
        String target = REGISTRY.registry().hostPort() + "/jobs/from-dockerfile:1";

        Cli.Result result = Cli.ok(cache, "build", "-f", dockerfile.toString(), "--build-arg", "BASE_IMAGE=" + base.ref(),
                "--build-arg", "JOB=payments", "--to", target, "--json", context.toString());

        JsonNode json = result.json();
        assertThat(json.path("base").path("reference").asText()).isEqualTo(base.ref());
        assertThat(json.path("layers").get(0).path("destination").asText()).isEqualTo("/opt/flink/usrlib/payments.jar");
        JsonNode config = Cli.JSON.readTree(Skopeo.inspectConfig(target, false, null));
        assertThat(config.path("config").path("Labels").path("job").asText()).isEqualTo("payments");
    }

    @Test
    void refusedInstructionsAndMisuseAreUsageErrors() throws IOException {
        Path dockerfile = Files.writeString(context.resolve("Dockerfile"), "FROM " + base.ref() + "\nRUN make\n");
        long mark = REGISTRY.registry().mark();

        Cli.Result run = Cli.run(cache, "build", "-f", dockerfile.toString(), "--to", REGISTRY.registry().hostPort() + "/x/y:1");
        Cli.Result both = Cli.run(cache, "build", "-f", dockerfile.toString(), "--from", base.ref(), "--to", "x/y:1");
        Cli.Result neither = Cli.run(cache, "build", "--to", "x/y:1");

        assertThat(run.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(run.errorLines()).singleElement().asString().contains("Dockerfile:2: RUN make …: make is a program");
        assertThat(both.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(neither.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(neither.errorLines()).singleElement().asString().contains("give --from IMAGE, or -f DOCKERFILE");
        assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
    }

    @Test
    void runNoneRefusesEveryRunAndFilesCarriesThemOut() throws IOException {
        Path dockerfile = Files.writeString(context.resolve("Dockerfile"), "FROM " + base.ref() + "\nRUN mkdir -p $FLINK_HOME/usrlib\n");
        long mark = REGISTRY.registry().mark();

        Cli.Result none = Cli.run(cache, "build", "-f", dockerfile.toString(), "--run=none", "--to", REGISTRY.registry().hostPort() + "/x/y:1");
        Cli.Result wrong = Cli.run(cache, "build", "-f", dockerfile.toString(), "--run=all", "--to", REGISTRY.registry().hostPort() + "/x/y:1");

        assertThat(none.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(none.errorLines()).singleElement().asString().contains("Dockerfile:2: RUN is refused by --run=none");
        assertThat(wrong.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(wrong.errorLines()).singleElement().asString().contains("--run=all: expected files");
        assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();

        String target = REGISTRY.registry().hostPort() + "/jobs/with-run:1";
        Cli.ok(cache, "build", "-f", dockerfile.toString(), "--run=files", "--to", target, context.toString());
        assertThat(Skopeo.inspectConfig(target, false, null)).contains("FLINK_HOME");
    }
}
