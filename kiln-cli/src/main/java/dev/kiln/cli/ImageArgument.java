package dev.kiln.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image a command works on and its platform: {@code IMAGE [--platform P]} (pull, inspect, rebase). */
final class ImageArgument {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image reference, e.g. flink:1.18 or registry:5000/ns/repo@sha256:…")
    String image;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform of the image (default: this machine's).")
    String platform;
}
