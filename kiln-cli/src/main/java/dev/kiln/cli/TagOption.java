package dev.kiln.cli;

import dev.kiln.api.Destination;
import picocli.CommandLine.Option;

/** {@code --tag NAME} of build and flink build: the name {@code docker load} gives an image written to {@code --to tar:FILE}. */
final class TagOption {
    @Option(names = "--tag", paramLabel = "NAME", description = "With --to tar:FILE: the name docker load gives the image.")
    String tarName;

    /** Where {@code --to target} puts the image, a tar file's image named by {@code --tag}. */
    Destination destination(String target) {
        return Destination.parse(target, tarName);
    }
}
