package dev.kiln.flink;

import dev.kiln.error.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlinkDeploymentTest {
    private static final String IMAGE = "registry.example.com/jobs/orders@sha256:" + "a".repeat(64);
    private static final FlinkDeployment.Resources SMALL = new FlinkDeployment.Resources("1024m", 0.5);

    private static FlinkDeployment deployment(String version, List<String> args) {
        return new FlinkDeployment(new FlinkDeployment.Settings("orders", args, 3, 2, "flink", SMALL, SMALL, "last-state"), IMAGE,
                FlinkVersion.parse(version), "local:///opt/flink/usrlib/orders.jar", Optional.of("com.example.Orders"), ConfFiles.NONE);
    }

    @Test
    void namesComeFromTheRepository() {
        assertThat(FlinkDeployment.nameFor("jobs/Orders_Job")).isEqualTo("orders-job");
        assertThat(FlinkDeployment.nameFor("word-count")).isEqualTo("word-count");
        assertThat(FlinkDeployment.nameFor("x/" + "long".repeat(20))).hasSize(45);
        assertThat(FlinkDeployment.nameFor("jobs/__")).isEqualTo("flink-job");
    }

    @Test
    void nativeArgumentsUseTheKeysOfTheFlinkVersion() {
        assertThat(deployment("1.18", List.of()).nativeArgs()).contains("-Dkubernetes.container.image.ref=" + IMAGE,
                "-Dkubernetes.jobmanager.cpu.amount=0.5", "-Dparallelism.default=3", "-Dtaskmanager.numberOfTaskSlots=2");
        assertThat(deployment("1.16", List.of()).nativeArgs()).contains("-Dkubernetes.container.image=" + IMAGE,
                "-Dkubernetes.jobmanager.cpu=0.5");
    }

    @Test
    void theNativeCommandQuotesWhatTheShellWouldSplit() {
        String command = deployment("1.18", List.of("--query", "SELECT 'x' FROM t")).nativeCommand();
        assertThat(command).startsWith("flink run-application \\\n  --target \\\n  kubernetes-application")
                .endsWith("  --query \\\n  'SELECT '\\''x'\\'' FROM t'\n");
    }

    @Test
    void theYamlHasTheOperatorsShape() {
        String yaml = deployment("1.18", List.of()).toYaml();
        assertThat(yaml).startsWith("apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\n")
                .contains("flinkVersion: v1_18", "upgradeMode: last-state", "image: " + IMAGE, "entryClass: com.example.Orders")
                .as("configuration values are strings, as the CRD's schema says").contains("taskmanager.numberOfTaskSlots: \"2\"")
                .contains("parallelism: 3");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new FlinkDeployment.Settings("Orders", List.of(), 1, 1, "flink", SMALL, SMALL, "stateless"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("invalid deployment name 'Orders'");
        assertThatThrownBy(() -> new FlinkDeployment.Settings("orders", List.of(), 0, 1, "flink", SMALL, SMALL, "stateless"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new FlinkDeployment.Settings("orders", List.of(), 1, 1, "flink", SMALL, SMALL, "rolling"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("invalid upgrade mode 'rolling'");
        assertThatThrownBy(() -> new FlinkDeployment.Resources("2048m", 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid cpu");
        FlinkDeployment.Settings settings = deployment("1.18", List.of()).settings();
        assertThatThrownBy(() -> new FlinkDeployment(settings, "registry/jobs/orders:1", FlinkVersion.parse("1.18"), "local:///x.jar",
                Optional.empty(), ConfFiles.NONE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("by digest");
    }
}
