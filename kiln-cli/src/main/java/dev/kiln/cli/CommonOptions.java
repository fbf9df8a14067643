package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.config.KilnConfig;
import dev.kiln.error.InvalidInputException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options every command takes: where the store is, how to reach registries, how to print. */
final class CommonOptions {
    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Kiln's cache directory (default: $KILN_CACHE_DIR or ~/.kiln).")
    Path cacheDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: $KILN_CONFIG, else config.yaml in the cache directory, if there is one).")
    Path configFile;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Allow plain HTTP or unverified TLS for this registry (repeatable). Loopback registries may use HTTP anyway.")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--ca-file", paramLabel = "REGISTRY=PEM",
            description = "Trust the CA certificates in PEM for REGISTRY, besides the system's (repeatable).")
    List<String> caFiles = new ArrayList<>();

    @Option(names = "--mirror", paramLabel = "REGISTRY=MIRROR",
            description = "Try MIRROR (host[:port], e.g. a pull-through cache) before REGISTRY, for tags and content (repeatable, in order).")
    List<String> mirrors = new ArrayList<>();

    @Option(names = "--digest-mirror", paramLabel = "REGISTRY=MIRROR",
            description = "Like --mirror, but MIRROR only serves content by digest; tags are resolved by REGISTRY.")
    List<String> digestMirrors = new ArrayList<>();

    @Option(names = "--daemon",
            description = "Use the Docker (or Podman) engine as a cache level: a base the local store lacks is imported from it "
                    + "when it holds exactly that name and platform ($DOCKER_HOST, or the config's daemon.host).")
    boolean daemon;

    @Option(names = "--docker-config", paramLabel = "FILE",
            description = "Docker client config to read credentials from (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json).")
    Path dockerConfig;

    @Option(names = "--json", description = "Print one JSON document on stdout instead of human output.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only the result, no step log.")
    boolean quiet;

    /** The command this mixin belongs to, for its output streams. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    private static void mirror(Kiln.Builder builder, String entry, String option, boolean resolve) {
        int eq = entry.indexOf('=');
        if (eq <= 0 || eq == entry.length() - 1) {
            throw new InvalidInputException("invalid " + option + " '" + entry + "': expected REGISTRY=MIRROR, e.g. docker.io=127.0.0.1:5010");
        }
        builder.mirror(entry.substring(0, eq), entry.substring(eq + 1), resolve);
    }

    /** The configuration file and environment overrides; the command's flags are applied over them. */
    KilnConfig config() {
        return KilnConfig.discover(configFile, cacheDir != null ? cacheDir : Kiln.defaultCacheDir());
    }

    /** Kiln with the step log on stderr: quiet under --json or -q, or when {@code stepLog} is false. */
    Kiln open(boolean stepLog) {
        return open(stepLog, false);
    }

    /** {@link #open(boolean)} on a store that must exist already (commands that look after the cache). */
    Kiln openExisting(boolean stepLog) {
        return open(stepLog, true);
    }

    private Kiln open(boolean stepLog, boolean existingStore) {
        boolean quietLog = quiet || json || !stepLog;
        ConsoleLog log = new ConsoleLog(command.commandLine().getErr(), quietLog, System.console() != null);
        Kiln.Builder builder = config().applyTo(Kiln.builder().listener(log));
        if (cacheDir != null) {
            builder.cacheDir(cacheDir);
        }
        insecureRegistries.forEach(builder::insecureRegistry);
        for (String entry : caFiles) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("invalid --ca-file '" + entry + "': expected REGISTRY=PEM_FILE");
            }
            builder.caFile(entry.substring(0, eq), Path.of(entry.substring(eq + 1)));
        }
        if (dockerConfig != null) {
            if (!Files.isRegularFile(dockerConfig)) {
                throw new InvalidInputException("--docker-config " + dockerConfig + (Files.exists(dockerConfig) ? " is not a file" : " does not exist"));
            }
            builder.dockerConfig(dockerConfig);
        }
        if (daemon) {
            builder.daemon(null);
        }
        mirrors.forEach(m -> mirror(builder, m, "--mirror", true));
        digestMirrors.forEach(m -> mirror(builder, m, "--digest-mirror", false));
        if (existingStore) {
            builder.existingStoreOnly();
        }
        Kiln kiln = builder.build();
        Interruption.operating(kiln.storeDir());
        return kiln;
    }
}
