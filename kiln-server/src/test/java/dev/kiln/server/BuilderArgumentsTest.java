package dev.kiln.server;

import dev.kiln.api.Kiln;
import dev.kiln.config.KilnConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KilnServer.Builder refuses a missing collaborator and a backoff that would not wait, where they are given. */
class BuilderArgumentsTest {
    @TempDir
    Path cacheDir;

    @Test
    void badArgumentsFailAtTheBuilder() {
        try (Kiln kiln = ServerFixture.kiln(cacheDir).build()) {
            ServerSettings settings = ServerSettings.of(new KilnConfig.Server(0, null, ServerFixture.TOKENS, null, null, null, null, null, null,
                    null), cacheDir);
            assertThatThrownBy(() -> KilnServer.builder(kiln, null)).isInstanceOf(NullPointerException.class).hasMessage("settings");
            KilnServer.Builder builder = KilnServer.builder(kiln, settings);
            assertThatThrownBy(() -> builder.config(null)).isInstanceOf(NullPointerException.class).hasMessage("config");
            assertThatThrownBy(() -> builder.webhookBackoff(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("webhookBackoff must be positive, not PT0S");
            assertThatThrownBy(() -> builder.webhookBackoff(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
