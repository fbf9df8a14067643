package dev.kiln.cli;

import dev.kiln.api.PullRequest;
import picocli.CommandLine.Mixin;

/** The image to work on and how its registry may be asked. */
final class ImageOptions {
    @Mixin
    ImageArgument argument;

    @Mixin
    FreshnessOptions freshness;

    PullRequest request() {
        return request(false);
    }

    PullRequest request(boolean verify) {
        return PullRequest.builder(argument.image).platform(argument.platform).freshness(freshness.freshness()).verify(verify).build();
    }
}
