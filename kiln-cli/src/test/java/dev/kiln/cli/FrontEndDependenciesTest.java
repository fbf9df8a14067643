package dev.kiln.cli;

import dev.kiln.testing.FrontEnds;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI is a front end: it may use Kiln's public surface (api, event, error, the PullPolicy value) and nothing else;
 * of kiln-server, only what starts it ({@code kiln serve}).
 */
class FrontEndDependenciesTest {
    @Test
    void cliUsesOnlyThePublicSurface() {
        assertThat(FrontEnds.kilnTypesUsed(Path.of("src/main/java"))).isNotEmpty()
                .allMatch(type -> FrontEnds.publicSurface().test(type) || type.startsWith("dev.kiln.cli.")
                        || type.equals("dev.kiln.server.KilnServer") || type.equals("dev.kiln.server.ServerSettings"));
    }
}
