package dev.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kiln} command's own attributes, without its subcommands: {@link KilnCommand} adds them all,
 * and a command line that names one gets this with that one alone.
 */
@Command(name = "kiln",
        description = "Builds container images for stream-processing jobs without a Docker daemon, base images cache-first.",
        mixinStandardHelpOptions = true,
        // --help and --version on every subcommand too (kiln pull --help)
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = KilnCommand.Version.class)
class KilnRoot {
}
