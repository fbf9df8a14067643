package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.error.InvalidInputException;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The global options plus how to reach registries: the options of commands that talk to registries
 * (build, flink build, pull, inspect, cache refresh, outdated, rebase), and only theirs.
 */
final class RegistryOptions extends GlobalOptions {
    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Allow plain HTTP or unverified TLS for this registry (repeatable). Loopback registries may use HTTP anyway.")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--ca-file", paramLabel = "REGISTRY=PEM", converter = OptionValues.CaFileConverter.class,
            description = "Trust the CA certificates in PEM for REGISTRY, besides the system's (repeatable).")
    List<OptionValues.RegistryValue> caFiles = new ArrayList<>();

    @Option(names = "--mirror", paramLabel = "REGISTRY=MIRROR", converter = OptionValues.MirrorConverter.class,
            description = "Try MIRROR (host[:port], e.g. a pull-through cache) before REGISTRY, for tags and content (repeatable, in order).")
    List<OptionValues.RegistryValue> mirrors = new ArrayList<>();

    @Option(names = "--digest-mirror", paramLabel = "REGISTRY=MIRROR", converter = OptionValues.MirrorConverter.class,
            description = "Like --mirror, but MIRROR only serves content by digest; tags are resolved by REGISTRY.")
    List<OptionValues.RegistryValue> digestMirrors = new ArrayList<>();

    @Option(names = "--daemon",
            description = "Use the Docker (or Podman) engine as a cache level: a base the local store lacks is imported from it "
                    + "when it holds exactly that name and platform ($DOCKER_HOST, or the config's daemon.host).")
    boolean daemon;

    @Option(names = "--docker-config", paramLabel = "FILE",
            description = "Docker client config to read credentials from (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json).")
    Path dockerConfig;

    @Override
    void configure(KilnBuilder builder) {
        insecureRegistries.forEach(builder::insecureRegistry);
        caFiles.forEach(caFile -> builder.caFile(caFile.registry(), Path.of(caFile.value())));
        if (dockerConfig != null) {
            builder.dockerConfig(requireFile(dockerConfig, "--docker-config " + dockerConfig));
        }
        if (daemon) {
            builder.daemon(null);
        }
        mirrors.forEach(m -> builder.mirror(m.registry(), m.value(), true));
        digestMirrors.forEach(m -> builder.mirror(m.registry(), m.value(), false));
    }

    /** A file the command line names must be there, before any work: else a usage error that names it. */
    static Path requireFile(Path file, String named) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(named + (Files.exists(file) ? " is not a file" : " does not exist"));
        }
        return file;
    }
}
