package dev.kiln.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a build gets its base: for which platform(s), and when the base's registry is asked. */
final class BaseOptions {
    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT][,…]",
            description = "Platform of the base to build on (default: this machine's); several, comma-separated, make one image each under an index.")
    String platform;

    @Mixin
    FreshnessOptions freshness;
}
