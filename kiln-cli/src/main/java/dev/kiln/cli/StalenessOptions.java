package dev.kiln.cli;

import dev.kiln.api.Units;
import picocli.CommandLine.Option;

import java.time.Duration;

/** How stale a cached image may be: {@code --max-stale} and {@code --stale-if-error}. */
final class StalenessOptions {
    @Option(names = "--max-stale", paramLabel = "DURATION",
            description = "A cached tag not confirmed by its registry for longer is checked (one HEAD) whatever the policy, and must answer.")
    String maxStale;

    @Option(names = "--stale-if-error",
            description = "If that check cannot reach the registry (down, 5xx), use the cached image with a warning, within --max-stale.")
    boolean staleIfError;

    /** {@code null} when not given. */
    Duration maxStaleOrNull() {
        return maxStale == null ? null : Units.parseDuration(maxStale);
    }
}
