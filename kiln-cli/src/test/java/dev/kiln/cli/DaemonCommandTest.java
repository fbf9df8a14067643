package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Platform;
import dev.kiln.testing.SharedPodman;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --to docker-daemon:} and {@code --daemon} from the CLI, against Podman's Docker-compatible service. */
class DaemonCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(21);
    @RegisterExtension
    static final SharedPodman PODMAN = new SharedPodman();

    @TempDir
    Path cache;

    @Test
    void aBuildLoadedIntoTheEngineServesTheNextBuildThroughTheDaemonLevel() throws IOException {
        TestImages.Pushed base = REGISTRY.pushFresh("cli/daemon-base", Platform.parse("linux/amd64"), 20_000);
        Path config = Files.writeString(cache.resolve("daemon.yaml"), "daemon: { host: \"" + PODMAN.service().host() + "\" }\n");
        Path job = Files.writeString(cache.resolve("job.txt"), "v1\n");
        String name = "127.0.0.1:1/cli/loaded:1";

        Cli.Result built = Cli.run(cache, "build", "--from", base.ref(), "--add", job + ":/opt/job.txt",
                "--to", "docker-daemon:" + name, "--config", config.toString());
        assertThat(built.exitCode()).as(built.toString()).isZero();
        assertThat(built.out()).contains("docker-daemon:" + name);
        assertThat(PODMAN.service().podman("image", "inspect", "--format", "{{.RepoTags}}", name)).contains(name);

        Path other = cache.resolve("other-store");
        Cli.Result pulled = Cli.run(other, "pull", name, "--daemon", "--config", config.toString(), "--json");
        assertThat(pulled.exitCode()).as(pulled.toString()).isZero();
        JsonNode json = pulled.json();
        assertThat(json.path("source").asText()).isEqualTo("docker-daemon");
        assertThat(json.path("layers")).hasSize(2);
    }
}
