package dev.kiln.cli;

import dev.kiln.api.PullRequest;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image to work on and how its registry may be asked. */
final class ImageOptions {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image reference, e.g. flink:1.18 or registry:5000/ns/repo@sha256:…")
    String image;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform to use (default: this machine's).")
    String platform;

    @Mixin
    FreshnessOptions freshness;

    PullRequest request() {
        return request(false);
    }

    PullRequest request(boolean verify) {
        return PullRequest.builder(image).platform(platform).freshness(freshness.freshness()).verify(verify).build();
    }
}
