package dev.kiln.api;

import dev.kiln.error.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to build: a base (or scratch) and files to add, each as its own layer in the given order, or
 * a Dockerfile; configuration changes; and the settings every build has ({@link ImageBuildRequest}).
 * Immutable; made with {@link #from(String)}, {@link #scratch()} or {@link #dockerfile(Path, Path)}
 * and the builder's methods:
 * <pre>{@code
 * BuildRequest.from("flink:1.18-java17")
 *     .add(Path.of("conf/"), "/opt/flink/conf/")
 *     .add(Path.of("target/job.jar"), "/opt/flink/usrlib/job.jar")
 *     .env("JOB_NAME", "orders")
 *     .to(Destination.registry("registry.example.com/jobs/orders:42"))
 *     .build();
 * }</pre>
 * In a Dockerfile build the configuration changes (env, labels, entrypoint, cmd, working directory,
 * user, ports) apply on top of the Dockerfile's result; files come from the Dockerfile only.
 */
public final class BuildRequest extends ImageBuildRequest {
    /**
     * One {@code --add}: a file or directory, its destination, and optionally its owner.
     *
     * @param source      a file, or a directory whose contents go under {@code destination}
     * @param destination an absolute path in the image
     * @param uid         the owner, with {@code gid}; {@code null}: root
     * @param gid         the owner's group; {@code null}: root
     */
    public record Add(Path source, String destination, Integer uid, Integer gid) {
    }

    private final String base;
    private final List<Add> layers;
    private final Map<String, String> env;
    private final List<String> entrypoint;
    private final List<String> cmd;
    private final String workingDir;
    private final String user;
    private final Map<String, String> labels;
    private final List<String> exposedPorts;
    private final Path dockerfile;
    private final Path context;
    private final Map<String, String> buildArgs;
    private final String run;

    private BuildRequest(Builder b) {
        super(b);
        if (b.dockerfile != null && !b.layers.isEmpty()) {
            throw new InvalidInputException("a Dockerfile build takes its files from the Dockerfile (COPY, ADD), not from --add");
        }
        for (Add add : b.layers) {
            checkReadable(add);
        }
        this.base = b.base;
        this.layers = List.copyOf(b.layers);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.entrypoint = b.entrypoint == null ? null : List.copyOf(b.entrypoint);
        this.cmd = b.cmd == null ? null : List.copyOf(b.cmd);
        this.workingDir = b.workingDir;
        this.user = b.user;
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
        this.exposedPorts = List.copyOf(b.exposedPorts);
        this.dockerfile = b.dockerfile;
        this.context = b.context;
        this.buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(b.buildArgs));
        this.run = b.run;
    }

    /** Every {@code --add} source exists and can be read: checked in {@code build()}, before any request. */
    private static void checkReadable(Add add) {
        Path source = add.source();
        if (source == null) {
            throw new InvalidInputException("--add :" + add.destination() + ": no source given");
        }
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("--add " + source + ":" + add.destination() + ": " + source + " does not exist");
        }
        if (!Files.isReadable(source)) {
            throw new InvalidInputException("--add " + source + ":" + add.destination() + ": " + source + " is not readable (permission denied)");
        }
    }

    /** A build on {@code image} (a reference as users write it, or {@code scratch}). */
    public static Builder from(String image) {
        if (image == null || image.isBlank()) {
            throw new InvalidInputException("no base image given: use an image reference or scratch");
        }
        Builder builder = new Builder();
        builder.base = image.equals("scratch") ? null : image;
        return builder;
    }

    /** A build on an empty image. */
    public static Builder scratch() {
        return new Builder();
    }

    /**
     * A build described by a Dockerfile, with {@code context} as its build context; the builder's
     * configuration changes apply on top of the Dockerfile's. The README's Dockerfile section lists the
     * instructions Kiln carries out.
     */
    public static Builder dockerfile(Path dockerfile, Path context) {
        Builder builder = new Builder();
        builder.dockerfile = dockerfile;
        builder.context = context;
        return builder;
    }

    /** The Dockerfile, or {@code null} for a build from {@link #base()}. */
    public Path dockerfile() {
        return dockerfile;
    }

    /** A Dockerfile build's context directory. */
    public Path context() {
        return context;
    }

    /** {@code --build-arg}s for the Dockerfile's ARGs. */
    public Map<String, String> buildArgs() {
        return buildArgs;
    }

    /** What a Dockerfile's RUN may do: {@code files} (file operations; the default, also for {@code null}) or {@code none}. */
    public String run() {
        return run;
    }

    /** {@code null} for scratch (or a Dockerfile build: its FROM says). */
    public String base() {
        return base;
    }

    /** The files to add, one layer each, bottom first. */
    public List<Add> layers() {
        return layers;
    }

    /** Environment variables to set, in order. */
    public Map<String, String> env() {
        return env;
    }

    /** {@code null}: inherited from the base. */
    public List<String> entrypoint() {
        return entrypoint;
    }

    /** {@code null}: inherited from the base (or cleared when the entrypoint is set). */
    public List<String> cmd() {
        return cmd;
    }

    /** {@code null}: inherited from the base. */
    public String workingDir() {
        return workingDir;
    }

    /** {@code null}: inherited from the base. */
    public String user() {
        return user;
    }

    /** Labels to set. */
    public Map<String, String> labels() {
        return labels;
    }

    /** Ports to declare: {@code 8081}, {@code 6123/udp}. */
    public List<String> exposedPorts() {
        return exposedPorts;
    }

    /** Collects a build's settings; {@link #build()} makes the immutable request. */
    public static final class Builder extends ImageBuildRequest.Builder<Builder, BuildRequest> {
        private String base;
        private final List<Add> layers = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private List<String> entrypoint;
        private List<String> cmd;
        private String workingDir;
        private String user;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<String> exposedPorts = new ArrayList<>();
        private Path dockerfile;
        private Path context;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private String run;

        private Builder() {
        }

        /** See {@link BuildRequest#run()}: {@code none} refuses every RUN of the Dockerfile, before any request. */
        public Builder run(String mode) {
            this.run = mode;
            return this;
        }

        /** A value for the Dockerfile's {@code ARG name}; an argument no ARG declares is an error. */
        public Builder buildArg(String name, String value) {
            buildArgs.put(name, value);
            return this;
        }

        /** Adds {@code source} (a file, or a directory's contents) at {@code destination}, owned by root, as one layer. */
        public Builder add(Path source, String destination) {
            return add(source, destination, null, null);
        }

        /** Adds {@code source} at {@code destination} as one layer, owned by {@code uid}:{@code gid} ({@code null}: root). */
        public Builder add(Path source, String destination, Integer uid, Integer gid) {
            layers.add(new Add(source, destination, uid, gid));
            return this;
        }

        /** Sets an environment variable. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** See {@link BuildRequest#entrypoint()}. */
        public Builder entrypoint(List<String> command) {
            this.entrypoint = command;
            return this;
        }

        /** See {@link BuildRequest#cmd()}. */
        public Builder cmd(List<String> arguments) {
            this.cmd = arguments;
            return this;
        }

        /** See {@link BuildRequest#workingDir()}. */
        public Builder workingDir(String dir) {
            this.workingDir = dir;
            return this;
        }

        /** See {@link BuildRequest#user()}. */
        public Builder user(String name) {
            this.user = name;
            return this;
        }

        /** Sets a label. */
        public Builder label(String name, String value) {
            labels.put(name, value);
            return this;
        }

        /** Declares a port: {@code 8081} or {@code 6123/udp}. */
        public Builder expose(String port) {
            exposedPorts.add(port);
            return this;
        }

        /** {@inheritDoc} A Dockerfile build with files to add is refused. */
        @Override
        public BuildRequest build() {
            return new BuildRequest(this);
        }
    }
}
