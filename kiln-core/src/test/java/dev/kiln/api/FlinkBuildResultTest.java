package dev.kiln.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class FlinkBuildResultTest {
    private static final BuildResult BUILD = new BuildResult("example.com/jobs/orders:1@sha256:" + "a".repeat(64), "sha256:" + "a".repeat(64),
            null, List.of(), 1, 10, 2, 20, 0, 0, 3, 0, Duration.ofMillis(42), List.of(), List.of());

    @Test
    void theDeploymentIsRenderedOnceAndOnlyWhenAskedFor() {
        AtomicInteger renders = new AtomicInteger();
        FlinkBuildResult result = new FlinkBuildResult(BUILD, "/opt/flink", "local:///opt/flink/usrlib/orders.jar", "com.example.Orders",
                "1.18", "example.com/jobs/orders@sha256:" + "a".repeat(64), () -> "kind: FlinkDeployment #" + renders.incrementAndGet(),
                List.of("-Dparallelism.default=2"), "flink run-application");

        assertThat(renders).as("not rendered by the build").hasValue(0);
        assertThat(result.deploymentYaml()).isEqualTo("kind: FlinkDeployment #1");
        assertThat(result.deploymentYaml()).isEqualTo("kind: FlinkDeployment #1");
        assertThat(renders).hasValue(1);
    }

    @Test
    void itsJsonHasEveryFieldInOrderAndReadsBackEqual() throws Exception {
        FlinkBuildResult result = new FlinkBuildResult(BUILD, "/opt/flink", "local:///opt/flink/usrlib/orders.jar", null, "1.18",
                "example.com/jobs/orders@sha256:" + "a".repeat(64), () -> "kind: FlinkDeployment\n", List.of("-Da=b"), "flink run-application -Da=b");
        ObjectMapper mapper = JsonMapper.builder().addModule(new JavaTimeModule()).build();

        JsonNode json = mapper.readTree(result.toJson());

        assertThat(json.fieldNames()).toIterable().containsExactly("build", "flinkHome", "jarUri", "mainClass", "flinkVersion", "image",
                "deploymentYaml", "nativeArgs", "nativeCommand");
        assertThat(json.path("deploymentYaml").asText()).isEqualTo("kind: FlinkDeployment\n");
        assertThat(json.path("build").path("durationMs").asLong()).isEqualTo(42);
        assertThat(mapper.readValue(mapper.writeValueAsString(result), FlinkBuildResult.class)).isEqualTo(result);
    }
}
