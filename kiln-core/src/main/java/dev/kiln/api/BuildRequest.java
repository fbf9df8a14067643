package dev.kiln.api;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.PullPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to build: a base (or scratch), files to add, each as its own layer in the given order,
 * configuration changes, and a target. Immutable; made with {@link #from(String)} or
 * {@link #scratch()} and the builder's methods:
 * <pre>{@code
 * BuildRequest.from("flink:1.18-java17")
 *     .add(Path.of("conf/"), "/opt/flink/conf/")
 *     .add(Path.of("target/job.jar"), "/opt/flink/usrlib/job.jar")
 *     .env("JOB_NAME", "orders")
 *     .to("registry.example.com/jobs/orders:42")
 *     .build();
 * }</pre>
 */
public final class BuildRequest {
    /** One {@code --add}: a file or directory, its destination, and optionally its owner. */
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
    private final String platform;
    private final PullPolicy policy;
    private final Duration maxAge;
    private final String compression;
    private final Instant time;
    private final String target;
    private final String tarName;
    private final Duration maxStale;
    private final boolean staleIfError;
    private final Path dockerfile;
    private final Path context;
    private final Map<String, String> buildArgs;
    private final String run;

    private BuildRequest(Builder b) {
        this.maxStale = b.maxStale;
        this.staleIfError = b.staleIfError;
        this.dockerfile = b.dockerfile;
        this.context = b.context;
        this.buildArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.buildArgs));
        this.run = b.run;
        this.base = b.base;
        this.layers = List.copyOf(b.layers);
        this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.entrypoint = b.entrypoint == null ? null : List.copyOf(b.entrypoint);
        this.cmd = b.cmd == null ? null : List.copyOf(b.cmd);
        this.workingDir = b.workingDir;
        this.user = b.user;
        this.labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
        this.exposedPorts = List.copyOf(b.exposedPorts);
        this.platform = b.platform;
        this.policy = b.policy;
        this.maxAge = b.maxAge;
        this.compression = b.compression;
        this.time = b.time;
        this.target = b.target;
        this.tarName = b.tarName;
    }

    /** A build on {@code image} (a reference as users write it). */
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
     * {@code env}, {@code label} and {@code add} apply on top. See {@code dev.kiln.dockerfile} for
     * the instructions Kiln carries out.
     */
    public static Builder dockerfile(Path dockerfile, Path context) {
        Builder builder = new Builder();
        builder.dockerfile = dockerfile;
        builder.context = context;
        return builder;
    }

    /** A cached base not confirmed by its registry for longer is checked whatever the policy; {@code null}: no limit. */
    public Duration maxStale() {
        return maxStale;
    }

    /** When checking the base cannot reach its registry, build on the cached base with a warning (within max-stale). */
    public boolean staleIfError() {
        return staleIfError;
    }

    /** The Dockerfile, or {@code null} for a build from {@link #base()}. */
    public Path dockerfile() {
        return dockerfile;
    }

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

    /** {@code null} for scratch. */
    public String base() {
        return base;
    }

    public List<Add> layers() {
        return layers;
    }

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

    public String workingDir() {
        return workingDir;
    }

    public String user() {
        return user;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public List<String> exposedPorts() {
        return exposedPorts;
    }

    /**
     * {@code linux/amd64}, or several comma-separated ({@code linux/amd64,linux/arm64}) for one image per
     * platform under an index (registry targets only); {@code null}: this machine's platform.
     */
    public String platform() {
        return platform;
    }

    /** When the base's registry is asked; {@code null}: the registry's configured policy, else if-not-present. */
    public PullPolicy policy() {
        return policy;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /** {@code gzip} (default) or {@code zstd}. */
    public String compression() {
        return compression;
    }

    /** The time written into layers and config; {@code null}: {@code SOURCE_DATE_EPOCH}, else 1970-01-01. */
    public Instant time() {
        return time;
    }

    /** {@code REGISTRY/REPO:TAG}, {@code oci:DIR[:TAG]} or {@code tar:FILE}. */
    public String target() {
        return target;
    }

    /** The image name recorded inside a {@code tar:} target; {@code null} for a default. */
    public String tarName() {
        return tarName;
    }

    /** Collects a build's settings; {@link #build()} makes the immutable request. */
    public static final class Builder {
        private String base;
        private final List<Add> layers = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private List<String> entrypoint;
        private List<String> cmd;
        private String workingDir;
        private String user;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<String> exposedPorts = new ArrayList<>();
        private String platform;
        private PullPolicy policy;
        private Duration maxAge;
        private String compression = "gzip";
        private Instant time;
        private String target;
        private String tarName;
        private Path dockerfile;
        private Path context;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private String run;
        private Duration maxStale;
        private boolean staleIfError;

        private Builder() {
        }

        /** See {@link BuildRequest#maxStale()}. */
        public Builder maxStale(Duration limit) {
            this.maxStale = limit;
            return this;
        }

        /** See {@link BuildRequest#staleIfError()}. */
        public Builder staleIfError(boolean useStaleOnError) {
            this.staleIfError = useStaleOnError;
            return this;
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

        public Builder add(Path source, String destination, Integer uid, Integer gid) {
            layers.add(new Add(source, destination, uid, gid));
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder entrypoint(List<String> command) {
            this.entrypoint = command;
            return this;
        }

        public Builder cmd(List<String> arguments) {
            this.cmd = arguments;
            return this;
        }

        public Builder workingDir(String dir) {
            this.workingDir = dir;
            return this;
        }

        public Builder user(String name) {
            this.user = name;
            return this;
        }

        public Builder label(String name, String value) {
            labels.put(name, value);
            return this;
        }

        public Builder expose(String port) {
            exposedPorts.add(port);
            return this;
        }

        public Builder platform(String osArch) {
            this.platform = osArch;
            return this;
        }

        public Builder policy(PullPolicy pullPolicy) {
            this.policy = pullPolicy;
            return this;
        }

        public Builder maxAge(Duration age) {
            this.maxAge = age;
            return this;
        }

        public Builder compression(String name) {
            this.compression = name;
            return this;
        }

        public Builder time(Instant instant) {
            this.time = instant;
            return this;
        }

        public Builder to(String targetSpec) {
            this.target = targetSpec;
            return this;
        }

        public Builder tarName(String name) {
            this.tarName = name;
            return this;
        }

        public BuildRequest build() {
            return new BuildRequest(this);
        }
    }
}
