package dev.kiln.cli;

import dev.kiln.api.Freshness;
import dev.kiln.image.PullPolicy;
import picocli.CommandLine.Option;

import java.time.Duration;

/** When an image's registry (a build's base's) is asked: {@code --policy}, {@code --max-age}, {@code --max-stale}, {@code --stale-if-error}. */
final class FreshnessOptions {
    @Option(names = "--policy", paramLabel = "POLICY", converter = OptionValues.PolicyConverter.class,
            description = "When to ask the registry: if-not-present (default, unless the configuration gives the registry one; "
                    + "no request when cached), always (one HEAD), never (offline), revalidate (one HEAD after --max-age), "
                    + "stale-while-revalidate (after --max-age: cached now, HEAD in the background).")
    PullPolicy policy;

    @Option(names = "--max-age", paramLabel = "DURATION", converter = OptionValues.DurationConverter.class,
            description = "With --policy revalidate or stale-while-revalidate (the policies it applies to): how long a check stays fresh, "
                    + "e.g. 30m, 1h, 7d (default: configured, else 1h).")
    Duration maxAge;

    @Option(names = "--max-stale", paramLabel = "DURATION", converter = OptionValues.DurationConverter.class,
            description = "A cached tag not confirmed by its registry for longer is checked (one HEAD) whatever the policy, and must answer.")
    Duration maxStale;

    @Option(names = "--stale-if-error",
            description = "If that check cannot reach the registry (down, 5xx), use the cached image with a warning, within --max-stale.")
    boolean staleIfError;

    /** The options as the API's value; what is not given stays open (configured defaults apply). */
    Freshness freshness() {
        return new Freshness(policy, maxAge, maxStale, staleIfError);
    }
}
