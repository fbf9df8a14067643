package dev.kiln.cli;

import dev.kiln.testing.FrontEnds;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI is a front end: it may use Kiln's public surface (api, event, error, the PullPolicy value) and nothing else. */
class FrontEndDependenciesTest {
    @Test
    void cliUsesOnlyThePublicSurface() {
        assertThat(FrontEnds.kilnTypesUsed(Path.of("src/main/java"))).isNotEmpty()
                .allMatch(type -> FrontEnds.publicSurface().test(type) || type.startsWith("dev.kiln.cli."));
    }
}
