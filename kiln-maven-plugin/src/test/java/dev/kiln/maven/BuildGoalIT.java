package dev.kiln.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import dev.kiln.testing.Umoci;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mvn package kiln:build} on a plain Java application, pushing to a real registry. */
class BuildGoalIT {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(71);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void theDependenciesThenTheJarAreTheLayersAndTheConfigurationIsTheImages() throws IOException {
        Path project = MavenBuild.sample("app", work.resolve("app"));
        String from = REGISTRY.flinkBase().ref();

        MavenBuild.ok(project, "-Dregistry=" + REGISTRY.registry().hostPort(), "-Dkiln.cacheDir=" + work.resolve("cache"),
                "-Dkiln.from=" + from, "package", "kiln:build");

        JsonNode json = JSON.readTree(project.resolve("target/kiln/image.json").toFile());
        assertThat(json.path("digest").asText()).isEqualTo(Files.readString(project.resolve("target/kiln/image-digest")).strip());
        assertThat(json.path("durationMs").asLong()).as("the CLI's --json shape").isPositive();
        assertThat(json.path("layers")).extracting(l -> l.path("destination").asText()).containsExactly("/app/libs/", "/app/");
        JsonNode config = JSON.readTree(Skopeo.inspectConfig(REGISTRY.registry().hostPort() + "/apps/app:1.0", false, null)).path("config");
        assertThat(config.path("Entrypoint")).extracting(JsonNode::asText)
                .containsExactly("java", "-cp", "/app/libs/*:/app/app-1.0.jar", "com.example.app.App");
        assertThat(config.path("Env")).extracting(JsonNode::asText).contains("APP_MODE=production");
        assertThat(config.path("Labels").path("team").asText()).isEqualTo("orders");
        assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/app");
        Path rootfs = unpack("apps/app:1.0");
        assertThat(rootfs.resolve("app/libs/commons-lang3-3.14.0.jar")).exists();
        assertThat(rootfs.resolve("app/app-1.0.jar")).hasSameBinaryContentAs(project.resolve("target/app-1.0.jar"));

        MavenBuild.ok(project, "-Dregistry=" + REGISTRY.registry().hostPort(), "-Dkiln.cacheDir=" + work.resolve("cache"),
                "-Dkiln.from=" + from, "-Pcustom-layers", "package", "kiln:build");

        JsonNode custom = JSON.readTree(project.resolve("target/kiln/image.json").toFile());
        assertThat(custom.path("layers")).extracting(l -> l.path("destination").asText()).containsExactly("/etc/app/", "/app/app.jar");
        Path customRoot = unpack("apps/app:1.0");
        assertThat(customRoot.resolve("etc/app/app.properties")).hasContent("greeting=hello");
        assertThat(customRoot.resolve("app/app.jar")).exists();
    }

    private Path unpack(String repoAndTag) throws IOException {
        Path dir = Files.createTempDirectory(work, "image");
        Skopeo.copy("docker://" + REGISTRY.registry().hostPort() + "/" + repoAndTag, "oci:" + dir.resolve("layout") + ":it",
                "--src-tls-verify=false");
        return Umoci.unpack(dir.resolve("layout"), "it", dir.resolve("bundle"));
    }
}
