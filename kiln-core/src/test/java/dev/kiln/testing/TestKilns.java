package dev.kiln.testing;

import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;

import java.nio.file.Path;
import java.time.Duration;

/** Kiln instances for tests: hermetic (only their own cache directory, never the machine's Docker credentials), short retries. */
public final class TestKilns {
    private TestKilns() {
    }

    /** A builder that uses only {@code cacheDir}: no Docker config of the machine, short retries. */
    public static KilnBuilder builder(Path cacheDir) {
        return Kiln.builder().cacheDir(cacheDir).dockerConfig(cacheDir.resolve("none.json"))
                .retries(2, Duration.ofMillis(10));
    }

    /** {@link #builder(Path)}, built. */
    public static Kiln kiln(Path cacheDir) {
        return builder(cacheDir).build();
    }
}
