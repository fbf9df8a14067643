package dev.kiln.api;

import dev.kiln.error.DaemonException;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * kiln-core alone has no Docker engine support (docker-java lives in the optional kiln-daemon module): asking
 * for the engine is a clear error that names the missing module, and nothing else changes.
 */
class ContainerEngineAbsentTest {
    @TempDir
    Path work;

    @Test
    void withoutTheDaemonModuleTheEngineIsAClearErrorNamingIt() throws java.io.IOException {
        assertThat(ServiceLoader.load(dev.kiln.api.spi.ContainerEngineProvider.class).findFirst())
                .as("kiln-core's own class path has no engine provider").isEmpty();
        assertThatThrownBy(() -> Class.forName("com.github.dockerjava.api.DockerClient"))
                .as("docker-java is not a dependency of kiln-core").isInstanceOf(ClassNotFoundException.class);
        try (Kiln kiln = TestKilns.kiln(work.resolve("cache"))) {
            BuildRequest request = BuildRequest.scratch().add(java.nio.file.Files.createDirectories(work.resolve("app")), "/app").to(Destination.daemon("example.com/app:1")).build();
            assertThatThrownBy(() -> kiln.build(request)).isInstanceOf(DaemonException.class)
                    .hasMessageContaining("no engine support on the class path").hasMessageContaining("kiln-daemon");
            assertThat(work.resolve("cache/store/layers")).as("refused before any layer was packed").doesNotExist();
        }
    }
}
