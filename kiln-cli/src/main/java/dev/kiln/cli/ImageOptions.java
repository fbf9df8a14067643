package dev.kiln.cli;

import dev.kiln.api.PullRequest;
import dev.kiln.api.Units;
import dev.kiln.image.PullPolicy;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image to work on and how its registry may be asked. */
final class ImageOptions {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image reference, e.g. flink:1.18 or registry:5000/ns/repo@sha256:…")
    String image;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform to use (default: this machine's).")
    String platform;

    @Option(names = "--policy", paramLabel = "POLICY",
            description = "When to ask the registry: if-not-present (default; no request when cached), always (one HEAD), "
                    + "never (offline), revalidate (one HEAD after --max-age), stale-while-revalidate (after --max-age: cached now, HEAD in the background).")
    String policy;

    @Option(names = "--max-age", paramLabel = "DURATION", description = "With --policy revalidate: how long a check stays fresh, e.g. 30m, 1h, 7d (default: configured, else 1h).")
    String maxAge;

    @Mixin
    StalenessOptions staleness;

    PullRequest request() {
        PullRequest request = PullRequest.of(image).withPlatform(platform).withPolicy(PullPolicy.parse(policy))
                .withMaxStale(staleness.maxStaleOrNull()).withStaleIfError(staleness.staleIfError);
        return maxAge == null ? request : request.withMaxAge(Units.parseDuration(maxAge));
    }
}
