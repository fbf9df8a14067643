package dev.kiln.internal.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.error.InvalidInputException;
import dev.kiln.testing.FlinkCrd;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlinkDeploymentTest {
    private static final String IMAGE = "registry.example.com/jobs/orders@sha256:" + "a".repeat(64);
    private static final FlinkDeployment.Resources SMALL = new FlinkDeployment.Resources("1024m", 0.5);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<DeploymentOption, String> DEFAULTS = Map.of(DeploymentOption.PARALLELISM, "1",
            DeploymentOption.TASK_SLOTS, "1", DeploymentOption.SERVICE_ACCOUNT, "flink", DeploymentOption.JOBMANAGER_MEMORY, "2048m",
            DeploymentOption.JOBMANAGER_CPU, "1.0", DeploymentOption.TASKMANAGER_MEMORY, "2048m", DeploymentOption.TASKMANAGER_CPU, "1.0");

    @TempDir
    Path dir;

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
        assertThat(FlinkCrd.problems(yaml)).isEmpty();
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

    /** The deployment of a build with {@code files} (name → text) as --conf and {@code given} options. */
    private FlinkDeployment withConf(Map<String, String> files, Map<DeploymentOption, String> given) throws IOException {
        List<Path> paths = new java.util.ArrayList<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
            paths.add(Files.writeString(dir.resolve(file.getKey()), file.getValue()));
        }
        ConfFiles conf = ConfFiles.read(paths);
        DeploymentOption.Resolution options = DeploymentOption.resolve(given, DEFAULTS, conf);
        return new FlinkDeployment(FlinkDeployment.Settings.of("orders", List.of(), options, "stateless"), IMAGE,
                FlinkVersion.parse("1.18"), "local:///opt/flink/usrlib/orders.jar", Optional.empty(), conf);
    }

    private static Map<String, String> flinkConfiguration(FlinkDeployment deployment) throws IOException {
        JsonNode node = YAML.readTree(deployment.toYaml()).path("spec").path("flinkConfiguration");
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            assertThat(e.getValue().isTextual()).as("%s is a string", e.getKey()).isTrue();
            map.put(e.getKey(), e.getValue().asText());
        });
        return map;
    }

    private static Map<String, String> nativeSettings(FlinkDeployment deployment) {
        return deployment.nativeArgs().stream().filter(a -> a.startsWith("-D")).map(a -> a.substring(2).split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1], (a, b) -> {
                    throw new AssertionError("a key given twice: " + a + ", " + b);
                }, LinkedHashMap::new));
    }

    @Test
    void everySettingOfAFlatOrNestedFileReachesFlinkConfigurationAndTheNativeArguments() throws IOException {
        for (Map.Entry<String, String> file : Map.of(ConfFiles.FLAT, ConfFilesTest.FLAT, ConfFiles.NESTED, ConfFilesTest.NESTED).entrySet()) {
            FlinkDeployment deployment = withConf(Map.of(file.getKey(), file.getValue()), Map.of());

            assertThat(flinkConfiguration(deployment)).as(file.getKey()).containsExactlyInAnyOrderEntriesOf(ConfFilesTest.SETTINGS);
            assertThat(nativeSettings(deployment)).as(file.getKey()).containsAllEntriesOf(ConfFilesTest.SETTINGS)
                    .containsEntry("kubernetes.cluster-id", "orders").containsEntry("jobmanager.memory.process.size", "2048m");
            assertThat(FlinkCrd.problems(deployment.toYaml())).as(file.getKey()).isEmpty();
        }
    }

    @Test
    void aGivenOptionWinsOverTheFileAndIsNotedWhileADefaultNeverDoes() throws IOException {
        String file = "taskmanager.numberOfTaskSlots: 2\nparallelism.default: 4\njobmanager.memory.process.size: 4g\n"
                + "kubernetes.jobmanager.cpu: 2\nkubernetes.service-account: jobs\n";
        Map<DeploymentOption, String> given = new EnumMap<>(DeploymentOption.class);
        given.put(DeploymentOption.TASK_SLOTS, "3");
        given.put(DeploymentOption.JOBMANAGER_CPU, "2.0");
        ConfFiles conf = ConfFiles.read(List.of(Files.writeString(dir.resolve(ConfFiles.FLAT), file)));

        DeploymentOption.Resolution resolved = DeploymentOption.resolve(given, DEFAULTS, conf);

        assertThat(resolved.notes()).as("2.0 cores are the file's 2").containsExactly(
                "--task-slots 3 wins over taskmanager.numberOfTaskSlots: 2 in flink-conf.yaml");
        FlinkDeployment deployment = withConf(Map.of(ConfFiles.FLAT, file), given);
        FlinkDeployment.Settings settings = deployment.settings();
        assertThat(settings.taskSlots()).isEqualTo(3);
        assertThat(settings.parallelism()).as("the file's, not the default").isEqualTo(4);
        assertThat(settings.jobManager()).isEqualTo(new FlinkDeployment.Resources("4g", 2));
        assertThat(settings.taskManager()).as("the file is silent: the defaults").isEqualTo(new FlinkDeployment.Resources("2048m", 1));
        assertThat(settings.serviceAccount()).isEqualTo("jobs");
        assertThat(flinkConfiguration(deployment)).containsEntry("taskmanager.numberOfTaskSlots", "3").containsEntry("parallelism.default", "4")
                .containsEntry("kubernetes.jobmanager.cpu", "2");
        assertThat(nativeSettings(deployment)).containsEntry("taskmanager.numberOfTaskSlots", "3").containsEntry("parallelism.default", "4")
                .containsEntry("kubernetes.jobmanager.cpu.amount", "2").doesNotContainKey("kubernetes.jobmanager.cpu")
                .containsEntry("kubernetes.service-account", "jobs");
        assertThat(deployment.toYaml()).contains("parallelism: 4", "serviceAccount: jobs", "memory: 4g");

        FlinkDeployment defaults = withConf(Map.of(ConfFiles.FLAT, "taskmanager.numberOfTaskSlots: 2\n"), Map.of());
        assertThat(flinkConfiguration(defaults)).as("the default of 1 never replaces the file's 2")
                .containsEntry("taskmanager.numberOfTaskSlots", "2");
        assertThat(nativeSettings(defaults)).containsEntry("taskmanager.numberOfTaskSlots", "2");
        assertThatThrownBy(() -> withConf(Map.of(ConfFiles.FLAT, "taskmanager.memory.process.size: lots\n"), Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid memory 'lots' for taskmanager.memory.process.size in flink-conf.yaml");
    }

    @Test
    void logFilesReachLogConfigurationAndKeysTheDeploymentOwnsAreLeftOut() throws IOException {
        FlinkDeployment deployment = withConf(Map.of("log4j-console.properties", "rootLogger.level = WARN\n",
                ConfFiles.FLAT, "kubernetes.cluster-id: other\nkubernetes.container.image.ref: other:1\nstate.backend.type: rocksdb\n"), Map.of());

        JsonNode spec = YAML.readTree(deployment.toYaml()).path("spec");
        assertThat(spec.path("logConfiguration").path("log4j-console.properties").asText()).isEqualTo("rootLogger.level = WARN\n");
        assertThat(flinkConfiguration(deployment)).containsOnlyKeys("state.backend.type", "taskmanager.numberOfTaskSlots");
        assertThat(nativeSettings(deployment)).containsEntry("kubernetes.cluster-id", "orders")
                .containsEntry("kubernetes.container.image.ref", IMAGE);
        assertThat(FlinkCrd.problems(deployment.toYaml())).isEmpty();
        assertThat(deployment.nativeCommand()).as("native mode takes log files from the client's conf dir")
                .startsWith("# log4j-console.properties: Flink ships the copy in the conf dir of the machine running this command")
                .contains("\nflink run-application");
    }

    @Test
    void theImagesCopyOfAFormatItsFlinkDoesNotReadIsNoted() throws IOException {
        ConfFiles nested = ConfFiles.read(List.of(Files.writeString(dir.resolve(ConfFiles.NESTED), "a: 1\n")));
        assertThat(nested.formatNote(FlinkVersion.parse("1.18"))).get().asString().startsWith("Flink 1.18 does not read config.yaml");
        assertThat(nested.formatNote(FlinkVersion.parse("1.19"))).isEmpty();
        ConfFiles flat = ConfFiles.read(List.of(Files.writeString(dir.resolve(ConfFiles.FLAT), "a: 1\n")));
        assertThat(flat.formatNote(FlinkVersion.parse("1.20"))).isEmpty();
        assertThat(flat.formatNote(FlinkVersion.parse("2.0"))).get().asString().startsWith("Flink 2.0 does not read flink-conf.yaml");
    }

    /** Flink's own loader (flink-core 1.18.1, the test bases' version) reads the configuration the operator would mount. */
    @Test
    void flinksOwnLoaderReadsTheFilesSettingsFromTheConfigurationKilnWrites() throws IOException {
        assertThat(GlobalConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toString())
                .as("the loader of the bases' Flink, not the operator model's later one").contains("flink-core-1.18.1");
        for (Map.Entry<String, String> file : Map.of(ConfFiles.FLAT, ConfFilesTest.FLAT, ConfFiles.NESTED, ConfFilesTest.NESTED).entrySet()) {
            Map<String, String> written = flinkConfiguration(withConf(Map.of(file.getKey(), file.getValue()), Map.of()));
            // as the operator's ConfigMap holds it for Flink before 1.19: one "key: value" a line
            Path confDir = Files.createDirectories(dir.resolve("mounted-" + file.getKey()));
            Files.writeString(confDir.resolve("flink-conf.yaml"), written.entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue() + "\n").collect(Collectors.joining()));

            Configuration loaded = GlobalConfiguration.loadConfiguration(confDir.toString());

            assertThat(loaded.get(TaskManagerOptions.NUM_TASK_SLOTS)).as(file.getKey()).isEqualTo(2);
            assertThat(loaded.get(StateBackendOptions.STATE_BACKEND)).as(file.getKey()).isEqualTo("rocksdb");
            assertThat(loaded.get(TaskManagerOptions.MANAGED_MEMORY_FRACTION)).as(file.getKey()).isEqualTo(0.5f);
            assertThat(loaded.toMap()).as(file.getKey()).containsAllEntriesOf(ConfFilesTest.SETTINGS);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void valuesThatLookLikeOtherYamlTypesStayStrings() throws IOException {
        Map<String, String> tricky = new LinkedHashMap<>();
        for (String value : List.of("[a.jar, b.jar]", "yes", "on", "No", "null", "~", "*x", "x: y", "'quoted'", "\"double\"", "{a: 1}",
                "- x", "%x", "@x", "!x", "&x", "| x", "> x", "2024-01-01", "0o17", "0x1F", "017", ".5", ".inf", "1_000", "=x", "?x",
                "-Xmx1g -XX:+UseG1GC", "s3://bucket/path", "a,b;c", "`x`")) {
            tricky.put("tricky." + tricky.size(), value);
        }
        String file = tricky.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue() + "\n").collect(Collectors.joining());
        FlinkDeployment deployment = withConf(Map.of(ConfFiles.FLAT, file), Map.of());

        // a YAML 1.1 reader, as Kubernetes' own (go-yaml) is: yes, on, dates and 0x1F would not be strings there
        Map<String, Object> spec = (Map<String, Object>) new org.yaml.snakeyaml.Yaml().<Map<String, Object>>load(deployment.toYaml()).get("spec");
        assertThat((Map<String, Object>) spec.get("flinkConfiguration")).containsAllEntriesOf(tricky);
        assertThat(FlinkCrd.problems(deployment.toYaml())).isEmpty();
    }

    @Test
    void theSchemaWalkFindsWhatKubernetesWouldPruneOrRefuse() {
        String valid = deployment("1.18", List.of()).toYaml();
        assertThat(FlinkCrd.problems(valid)).isEmpty();
        assertThat(FlinkCrd.problems(valid.replace("  flinkConfiguration:\n", "  flinkConfig:\n    x: \"1\"\n  flinkConfiguration:\n")))
                .containsExactly("spec.flinkConfig: not in the schema, so Kubernetes would prune it");
        assertThat(FlinkCrd.problems(valid.replace("taskmanager.numberOfTaskSlots: \"2\"", "taskmanager.numberOfTaskSlots: 2")))
                .containsExactly("spec.flinkConfiguration.taskmanager.numberOfTaskSlots: 2 is not of type string");
        assertThat(FlinkCrd.problems(valid.replace("upgradeMode: last-state", "upgradeMode: rolling")))
                .singleElement().asString().startsWith("spec.job.upgradeMode: \"rolling\" is not one of");
        assertThat(FlinkCrd.problems(valid.replace("    jarURI:", "    jar: x\n    jarURI:")))
                .containsExactly("spec.job.jar: not in the schema, so Kubernetes would prune it");
    }
}
