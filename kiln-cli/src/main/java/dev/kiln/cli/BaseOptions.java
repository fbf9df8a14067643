package dev.kiln.cli;

import dev.kiln.api.Units;
import dev.kiln.image.PullPolicy;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;

/** How a build gets its base: for which platform(s), and when the base's registry is asked. */
final class BaseOptions {
    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT][,…]",
            description = "Platform of the base to build on (default: this machine's); several, comma-separated, make one image each under an index.")
    String platform;

    @Option(names = "--policy", paramLabel = "POLICY",
            description = "When to ask the base's registry: if-not-present (default, unless the configuration gives one for the registry), always, never, revalidate, stale-while-revalidate.")
    String policy;

    @Option(names = "--max-age", paramLabel = "DURATION", description = "With --policy revalidate: freshness of a check (default: configured, else 1h).")
    String maxAge;

    @Mixin
    StalenessOptions staleness;

    PullPolicy pullPolicy() {
        return PullPolicy.parse(policy);
    }

    /** {@code null} when not given. */
    Duration maxAgeOrNull() {
        return maxAge == null ? null : Units.parseDuration(maxAge);
    }
}
