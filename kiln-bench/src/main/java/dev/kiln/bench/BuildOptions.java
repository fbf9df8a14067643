package dev.kiln.bench;

import dev.kiln.error.InvalidInputException;
import dev.kiln.internal.layer.LayerSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line shared by {@link JibBuild} and {@link KilnApiBuild}: the same image, described
 * the way {@code kiln build} takes it, so that the tools build the same thing.
 *
 * <pre>
 * --from REGISTRY/REPO:TAG --add SRC:DEST[:UID:GID] [--add ...] --to REGISTRY/REPO:TAG --cache DIR
 * [--insecure] [--docker-config FILE] [--platform OS/ARCH] [--repeat N] [--verbose]
 * </pre>
 */
record BuildOptions(String from, List<LayerSource> adds, String to, Path cache, boolean insecure,
                    Path dockerConfig, String platform, int repeat, boolean verbose, boolean help) {

    /** A command line that cannot be run: the tools print the message and the usage, and exit with 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static String usage(String tool, String extra) {
        return "usage: java -cp kiln-bench.jar dev.kiln.bench." + tool + " --from REGISTRY/REPO:TAG\n"
                + "           --add SRC:DEST[:UID:GID] [--add ...] --to REGISTRY/REPO:TAG --cache DIR\n"
                + "           [--insecure] [--docker-config FILE] [--platform OS/ARCH] [--repeat N] [--verbose]\n"
                + "  --add       a file, or a directory whose contents go under DEST (as Docker's COPY); one layer each\n"
                + "  --cache     the tool's cache directory (created when missing)\n"
                + "  --insecure  allow plain HTTP (and unverified TLS) for the --from and --to registries\n"
                + "  --docker-config  credentials for the registries, from this Docker client config (config.json)\n"
                + "  --platform  the base image's platform (default: linux/" + hostArch() + ")\n"
                + "  --repeat    N builds in the same JVM, one JSON line each (default 1)\n"
                + "  --verbose   the tool's own log on stderr\n"
                + extra;
    }

    private static String hostArch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    /** Parses {@code args}; {@code --opt VALUE} and {@code --opt=VALUE} are both accepted. */
    static BuildOptions parse(String[] args) throws UsageException {
        String from = null;
        String to = null;
        Path cache = null;
        Path dockerConfig = null;
        String platform = null;
        boolean insecure = false;
        boolean verbose = false;
        int repeat = 1;
        List<LayerSource> adds = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> {
                    return new BuildOptions(null, List.of(), null, null, false, null, null, 1, false, true);
                }
                case "--insecure" -> insecure = true;
                case "-v", "--verbose" -> verbose = true;
                case "--from", "--to", "--cache", "--add", "--docker-config", "--platform", "--repeat" -> {
                    String value = inline;
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (value.isEmpty()) {
                        throw new UsageException(name + " needs a value");
                    }
                    switch (name) {
                        case "--from" -> from = value;
                        case "--to" -> to = value;
                        case "--cache" -> cache = Path.of(value);
                        case "--docker-config" -> dockerConfig = Path.of(value);
                        case "--platform" -> platform = value;
                        case "--add" -> adds.add(layer(value));
                        default -> repeat = repeat(value);
                    }
                }
                default -> throw new UsageException("unknown argument '" + arg + "'");
            }
        }
        if (from == null) {
            throw new UsageException("--from is required");
        }
        if (to == null) {
            throw new UsageException("--to is required");
        }
        if (cache == null) {
            throw new UsageException("--cache is required");
        }
        if (to.startsWith("oci:") || to.startsWith("tar:")) {
            throw new UsageException("--to must be a registry image (REGISTRY/REPO:TAG), not '" + to + "'");
        }
        if (platform != null && !platform.matches("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?")) {
            throw new UsageException("invalid --platform '" + platform + "': expected OS/ARCH[/VARIANT]");
        }
        return new BuildOptions(from, List.copyOf(adds), to, cache, insecure, dockerConfig, platform, repeat, verbose, false);
    }

    private static LayerSource layer(String spec) throws UsageException {
        try {
            return LayerSource.parse(spec);
        } catch (InvalidInputException e) {
            throw new UsageException("--add: " + e.getMessage());
        }
    }

    private static int repeat(String value) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new UsageException("--repeat must be a positive number, not '" + value + "'");
    }
}
