package dev.kiln.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.api.LogLines;
import dev.kiln.api.Units;
import dev.kiln.error.InvalidInputException;
import dev.kiln.server.client.RemoteBuilds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "build", description = "Build an image from a base and local files, or from a Dockerfile, and publish it, without a Docker daemon.")
final class BuildCommand extends ImageBuildCommand<BuildRequest, BuildResult> {
    /** {@code SRC:DEST[:UID:GID]}, as {@code --add} takes it here and in {@code kiln flink build}. */
    static final Pattern ADD = Pattern.compile("(.+?):(/[^:]*)(?::(\\d+):(\\d+))?");

    @Option(names = "--from", paramLabel = "IMAGE", description = "Base image, or 'scratch' (or build from a Dockerfile with -f).")
    String from;

    @Option(names = {"-f", "--file"}, paramLabel = "DOCKERFILE", description = "Build from this Dockerfile, with CONTEXT as the build context.")
    Path dockerfile;

    @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "A value for one of the Dockerfile's ARGs (repeatable).")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--run", paramLabel = "MODE", description = "What a Dockerfile's RUN may do: 'files' (default: file operations "
            + "such as mkdir, rm, ln, chmod, chown, cp, mv, touch, echo > file, carried out without a container) or 'none' (every RUN is refused).")
    String run;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT", description = "The build context of a Dockerfile build (default: the Dockerfile's directory).")
    Path context;

    @Option(names = "--add", paramLabel = "SRC:DEST[:UID:GID]",
            description = "Add a file, or a directory's contents, at the absolute path DEST; each --add is one layer, in order (repeatable).")
    List<String> adds = new ArrayList<>();

    @Option(names = "--chown", paramLabel = "UID:GID", converter = OptionValues.OwnerConverter.class,
            description = "Owner of added files without their own (default 0:0).")
    OptionValues.Owner chown;

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Set an environment variable (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Entrypoint: a JSON array (exec form) or words split on spaces.")
    String entrypoint;

    @Option(names = "--cmd", paramLabel = "ARGS", description = "Default arguments: a JSON array or words split on spaces.")
    String cmd;

    @Option(names = "--workdir", paramLabel = "DIR", description = "Working directory.")
    String workdir;

    @Option(names = "--user", paramLabel = "USER[:GROUP]", description = "User the container runs as.")
    String user;

    @Option(names = "--label", paramLabel = "NAME=VALUE", description = "Set a label (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--expose", paramLabel = "PORT[/PROTO]", description = "Declare a port (repeatable).")
    List<String> ports = new ArrayList<>();

    @Mixin
    BaseOptions baseOptions;

    @Option(names = "--compression", paramLabel = "gzip|zstd", defaultValue = "gzip", description = "Compression of new layers (default gzip).")
    String compression;

    @Option(names = "--to", required = true, paramLabel = "TARGET",
            description = "REGISTRY/REPO:TAG, docker-daemon:NAME:TAG (loaded into the Docker or Podman engine), oci:DIR[:TAG] (an OCI image layout) or tar:FILE (for docker load).")
    String target;

    @Mixin
    TagOption tag;

    BuildCommand() {
        super(Kiln::build, RemoteBuilds::build);
    }

    @Override
    void check() {
        if ((from == null) == (dockerfile == null)) {
            throw new InvalidInputException(from == null ? "nothing to build: give --from IMAGE, or -f DOCKERFILE [CONTEXT]"
                    : "give --from or -f, not both");
        }
        if (dockerfile == null && (context != null || !buildArgs.isEmpty() || run != null)) {
            throw new InvalidInputException("CONTEXT, --build-arg and --run belong to a Dockerfile build (-f DOCKERFILE)");
        }
        if (dockerfile != null && chown != null) {
            throw new InvalidInputException("--chown " + chown + " owns what --add adds, and a Dockerfile build (-f) takes no --add: "
                    + "use COPY --chown in the Dockerfile");
        }
        BuildRequest.Builder builder = (dockerfile != null
                ? BuildRequest.dockerfile(dockerfile, context != null ? context : dockerfile.toAbsolutePath().getParent())
                : BuildRequest.from(from)).to(tag.destination(target)).platform(baseOptions.platform)
                .freshness(baseOptions.freshness.freshness()).compression(compression)
                .workingDir(workdir).user(user).run(run);
        Integer uid = chown == null ? null : chown.uid();
        Integer gid = chown == null ? null : chown.gid();
        for (String add : adds) {
            Matcher m = ADD.matcher(add);
            if (!m.matches()) {
                throw new InvalidInputException("invalid --add '" + add + "': expected SRC:DEST[:UID:GID] with an absolute DEST, e.g. target/job.jar:/opt/flink/usrlib/job.jar");
            }
            builder.add(Path.of(m.group(1)), m.group(2), m.group(3) != null ? OptionValues.id(m.group(3), "--add", add) : uid,
                    m.group(4) != null ? OptionValues.id(m.group(4), "--add", add) : gid);
        }
        env.forEach(e -> pair(e, "--env", builder::env));
        buildArgs.forEach(a -> pair(a, "--build-arg", builder::buildArg));
        labels.forEach(l -> pair(l, "--label", builder::label));
        ports.forEach(builder::expose);
        if (entrypoint != null) {
            builder.entrypoint(words(entrypoint, "--entrypoint"));
        }
        if (cmd != null) {
            builder.cmd(words(cmd, "--cmd"));
        }
        request = builder.build();
    }

    @Override
    int print(BuildResult result) {
        if (common.json) {
            common.out().println(result.toJson());
            common.out().flush();
        } else {
            common.out().print(summary(result));
            common.out().flush();
        }
        return KilnCommand.OK;
    }

    /** The human summary of a build: the image, then what its layers and blobs cost. */
    static String summary(BuildResult result) {
        StringBuilder text = new StringBuilder(String.format("%s%n  %s, blobs: %d uploaded (%s), %d already there, "
                        + "%d mounted; %s, %s downloaded, %s%n",
                Output.withDigest(result.image(), result.digest()), layers(result), result.blobsUploaded(),
                Units.formatSize(result.bytesUploaded()), result.blobsSkipped(), result.blobsMounted(),
                Output.count(result.requests(), "request"), Units.formatSize(result.bytesDownloaded()), LogLines.seconds(result.duration())));
        if (result.platforms().size() > 1) {
            result.platforms().forEach(p -> text.append(String.format("  %s %s%n", p.platform(), p.image())));
        }
        return text.toString();
    }

    /** {@code 1 layer added}, {@code 2 layers added, 1 reused}, {@code 1 layer reused} (a no-op adds nothing). */
    private static String layers(BuildResult result) {
        long reused = result.layers().stream().filter(BuildResult.AppLayer::cached).count();
        long added = result.layers().size() - reused;
        if (added == 0) {
            return reused == 0 ? "no layers added" : Output.count(reused, "layer") + " reused";
        }
        return Output.count(added, "layer") + " added" + (reused == 0 ? "" : ", " + reused + " reused");
    }

    private static void pair(String text, String option, java.util.function.BiConsumer<String, String> sink) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new InvalidInputException("invalid " + option + " '" + text + "': expected NAME=VALUE");
        }
        sink.accept(text.substring(0, eq), text.substring(eq + 1));
    }

    /** Exec form as a JSON array, or words split on white space. */
    private static List<String> words(String text, String option) {
        String trimmed = text.strip();
        if (trimmed.startsWith("[")) {
            try {
                JsonNode array = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(trimmed);
                List<String> words = new ArrayList<>();
                for (JsonNode n : array) {
                    if (!n.isTextual()) {
                        throw new InvalidInputException("invalid " + option + ": not a JSON array of strings: " + trimmed);
                    }
                    words.add(n.asText());
                }
                return words;
            } catch (IOException e) {
                throw new InvalidInputException("invalid " + option + ": not a JSON array of strings: " + trimmed);
            }
        }
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
    }
}
