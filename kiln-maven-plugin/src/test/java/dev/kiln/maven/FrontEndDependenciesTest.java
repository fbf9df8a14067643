package dev.kiln.maven;

import dev.kiln.testing.FrontEnds;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The plugin is a front end, as the CLI: Kiln's public surface and nothing else. */
class FrontEndDependenciesTest {
    @Test
    void pluginUsesOnlyThePublicSurface() {
        assertThat(FrontEnds.kilnTypesUsed(Path.of("src/main/java"))).isNotEmpty()
                .allMatch(type -> FrontEnds.publicSurface().test(type) || type.startsWith("dev.kiln.maven."));
    }
}
