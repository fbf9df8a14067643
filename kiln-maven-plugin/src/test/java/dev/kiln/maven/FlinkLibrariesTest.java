package dev.kiln.maven;

import dev.kiln.error.InvalidInputException;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rule for which dependencies a Flink job image carries, as the README states it. */
class FlinkLibrariesTest {
    @TempDir
    Path dir;

    private static Artifact artifact(String coordinates, String scope, String... trail) {
        String[] parts = coordinates.split(":");
        DefaultArtifact a = new DefaultArtifact(parts[0], parts[1], parts[2], scope, "jar", parts.length > 3 ? parts[3] : null,
                new DefaultArtifactHandler("jar"));
        a.setDependencyTrail(trail.length == 0 ? List.of("com.example:job:jar:1.0", a.getId()) : List.of(trail));
        return a;
    }

    private Path jobJar(String... entries) throws IOException {
        Path jar = dir.resolve("job.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("com/example/Job.class"));
            for (String entry : entries) {
                out.putNextEntry(new JarEntry(entry));
            }
        }
        return jar;
    }

    @Test
    void flinksOwnArtifactsStayOutButConnectorsAndWhatTheCallerKeepsGoIn() {
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-streaming-java:1.18.1", "compile"), List.of())).isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-shaded-guava:31.1-jre-17.0", "compile"), List.of())).isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-connector-base:1.18.1", "compile"), List.of())).isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-connector-files:1.18.1", "compile"), List.of())).isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-connector-datagen:1.18.1", "compile"), List.of())).isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-connector-kafka:3.1.0-1.18", "compile"), List.of())).isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-sql-connector-kafka:3.1.0-1.18", "compile"), List.of())).isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-json:1.18.1", "compile"), List.of())).isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-csv:1.18.1", "compile"), List.of())).isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-avro:1.18.1", "compile"), List.of())).isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-sql-avro-confluent-registry:1.18.1", "compile"),
                List.of())).isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-parquet:1.18.1", "compile"), List.of())).isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-orc:1.18.1", "compile"), List.of())).isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-protobuf:1.18.1", "compile"), List.of())).isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-state-processor-api:1.18.1", "compile"), List.of()))
                .isTrue();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.flink:flink-state-processor-api:1.18.1", "compile"),
                List.of("flink-state-processor-api"))).as("kept when named").isFalse();
        assertThat(FlinkLibraries.isFlinkDistribution(artifact("org.apache.kafka:kafka-clients:3.4.0", "compile"), List.of())).isFalse();
    }

    @Test
    void theRuntimeClassPathMinusFlinkWhatCameThroughItAndWhatTheJarHoldsReleasedThenSnapshots() throws IOException {
        List<Artifact> artifacts = List.of(
                artifact("org.apache.flink:flink-connector-kafka:3.1.0-1.18", "compile"),
                artifact("org.apache.kafka:kafka-clients:3.4.0", "compile", "com.example:job:jar:1.0",
                        "org.apache.flink:flink-connector-kafka:jar:3.1.0-1.18", "org.apache.kafka:kafka-clients:jar:3.4.0"),
                artifact("org.apache.flink:flink-json:1.18.1", "compile"),
                artifact("com.fasterxml.jackson.core:jackson-databind:2.14.2", "compile", "com.example:job:jar:1.0",
                        "org.apache.flink:flink-json:jar:1.18.1", "com.fasterxml.jackson.core:jackson-databind:jar:2.14.2"),
                artifact("org.apache.flink:flink-streaming-java:1.18.1", "provided"),
                artifact("org.postgresql:postgresql:42.7.3", "runtime"),
                artifact("org.junit.jupiter:junit-jupiter-api:5.10.3", "test"),
                artifact("org.apache.commons:commons-lang3:3.14.0", "compile"),
                artifact("com.example:rules:2.0-SNAPSHOT", "compile"));

        FlinkLibraries.Selection selection = FlinkLibraries.select(artifacts,
                jobJar("META-INF/maven/org.apache.commons/commons-lang3/pom.properties"), List.of());

        assertThat(selection.released()).extracting(Artifact::getArtifactId)
                .containsExactly("flink-connector-kafka", "kafka-clients", "postgresql");
        assertThat(selection.snapshots()).extracting(Artifact::getArtifactId).containsExactly("rules");
        assertThat(selection.notes()).containsExactly(
                "com.fasterxml.jackson.core:jackson-databind:jar:2.14.2 not copied: comes with org.apache.flink:flink-json, Flink's own",
                "org.apache.commons:commons-lang3:jar:3.14.0 not copied: the job jar holds it already "
                        + "(its META-INF/maven/org.apache.commons/commons-lang3/pom.properties)",
                "org.apache.flink:flink-json:jar:1.18.1 not copied: Flink's own, in the distribution");
    }

    @Test
    void theFlinkVersionIsTheOneTheFlinkArtifactsShareNotAConnectors() {
        assertThat(FlinkLibraries.flinkVersion(List.of(artifact("org.apache.flink:flink-streaming-java:1.18.1", "provided"),
                artifact("org.apache.flink:flink-connector-kafka:3.1.0-1.18", "compile"),
                artifact("org.apache.flink:flink-clients:1.18.1", "provided")))).isEqualTo("1.18.1");
        assertThat(FlinkLibraries.flinkVersion(List.of(artifact("org.apache.kafka:kafka-clients:3.4.0", "compile")))).isNull();
        assertThatThrownBy(() -> FlinkLibraries.flinkVersion(List.of(artifact("org.apache.flink:flink-streaming-java:1.18.1", "provided"),
                artifact("org.apache.flink:flink-clients:1.17.2", "provided")))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("several Flink versions [1.17.2, 1.18.1]");
    }

    @Test
    void theJavaVersionIsTheCompilersReleaseElseItsTarget() {
        java.util.Properties properties = new java.util.Properties();
        assertThat(FlinkMojo.compilerJavaVersion(properties)).isNull();
        properties.setProperty("maven.compiler.target", "1.8");
        assertThat(FlinkMojo.compilerJavaVersion(properties)).isEqualTo(8);
        properties.setProperty("maven.compiler.release", "11");
        assertThat(FlinkMojo.compilerJavaVersion(properties)).isEqualTo(11);
        properties.setProperty("maven.compiler.release", "eleven");
        assertThatThrownBy(() -> FlinkMojo.compilerJavaVersion(properties)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("give <javaVersion>");
    }

    @Test
    void jarsKeepTheirMavenFileNames() {
        assertThat(FlinkLibraries.fileName(artifact("org.apache.kafka:kafka-clients:3.4.0", "compile"))).isEqualTo("kafka-clients-3.4.0.jar");
        assertThat(FlinkLibraries.fileName(artifact("io.netty:netty-transport-native-epoll:4.1.100.Final:linux-x86_64", "compile")))
                .isEqualTo("netty-transport-native-epoll-4.1.100.Final-linux-x86_64.jar");
        assertThat(FlinkLibraries.fileName(artifact("com.example:rules:2.0-20260101.120000-3", "compile")))
                .as("a snapshot under its base version").isEqualTo("rules-2.0-SNAPSHOT.jar");
    }
}
