package dev.kiln.api;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.PullPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A Flink job image: a Flink base (an image, or a Flink version that names the official image), the
 * job jar, extra jars for {@code $FLINK_HOME/lib/}, files for {@code $FLINK_HOME/conf/}, Hadoop and
 * Hive configuration, and the target; plus how to deploy it, for {@link FlinkBuildResult#deploymentYaml()}
 * and {@link FlinkBuildResult#nativeCommand()}. Made with {@link #builder()}:
 * <pre>{@code
 * FlinkBuildRequest.builder()
 *     .flinkVersion("1.18").java(17)
 *     .jobJar(Path.of("target/orders.jar"))
 *     .lib(Path.of("flink-connector-kafka.jar"))
 *     .to("registry.example.com/jobs/orders:42")
 *     .parallelism(4)
 *     .build();
 * }</pre>
 */
public final class FlinkBuildRequest {
    private final Builder b;

    private FlinkBuildRequest(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The base image; {@code null} when {@link #flinkVersion()} names the official one. */
    public String base() {
        return b.base;
    }

    /**
     * {@code 1.18} or {@code 1.18.1}: without a {@link #base()}, it names the official image; it is the
     * deployment's version in any case ({@code null}: read from the base).
     */
    public String flinkVersion() {
        return b.flinkVersion;
    }

    /** The official image's Java version; {@code null}: the version's default. */
    public Integer java() {
        return b.java;
    }

    public String scala() {
        return b.scala;
    }

    public Path jobJar() {
        return b.jobJar;
    }

    public List<Path> libs() {
        return List.copyOf(b.libs);
    }

    public List<Path> confFiles() {
        return List.copyOf(b.confFiles);
    }

    public Path hadoopConf() {
        return b.hadoopConf;
    }

    public Path hiveConf() {
        return b.hiveConf;
    }

    /** The job's entry class; {@code null}: the jar's manifest says. */
    public String mainClass() {
        return b.mainClass;
    }

    public int uid() {
        return b.uid;
    }

    public int gid() {
        return b.gid;
    }

    /** One platform, or several comma-separated (an index); {@code null}: this machine's. */
    public String platform() {
        return b.platform;
    }

    /** When the base's registry is asked; {@code null}: the registry's configured policy, else if-not-present. */
    public PullPolicy policy() {
        return b.policy;
    }

    public Duration maxAge() {
        return b.maxAge;
    }

    /** See {@link BuildRequest#maxStale()}. */
    public Duration maxStale() {
        return b.maxStale;
    }

    /** See {@link BuildRequest#staleIfError()}. */
    public boolean staleIfError() {
        return b.staleIfError;
    }

    public String compression() {
        return b.compression;
    }

    public Instant time() {
        return b.time;
    }

    public String target() {
        return b.target;
    }

    /** The deployment's name; {@code null}: derived from the target's repository. */
    public String deploymentName() {
        return b.deploymentName;
    }

    public List<String> jobArgs() {
        return List.copyOf(b.jobArgs);
    }

    public int parallelism() {
        return b.parallelism;
    }

    public int taskSlots() {
        return b.taskSlots;
    }

    public String serviceAccount() {
        return b.serviceAccount;
    }

    public String jobManagerMemory() {
        return b.jobManagerMemory;
    }

    public double jobManagerCpu() {
        return b.jobManagerCpu;
    }

    public String taskManagerMemory() {
        return b.taskManagerMemory;
    }

    public double taskManagerCpu() {
        return b.taskManagerCpu;
    }

    public String upgradeMode() {
        return b.upgradeMode;
    }

    /** Collects the settings; defaults follow the Flink Kubernetes Operator's examples. */
    public static final class Builder {
        private String base;
        private String flinkVersion;
        private Integer java;
        private String scala;
        private Path jobJar;
        private final List<Path> libs = new ArrayList<>();
        private final List<Path> confFiles = new ArrayList<>();
        private Path hadoopConf;
        private Path hiveConf;
        private String mainClass;
        private int uid;
        private int gid;
        private String platform;
        private PullPolicy policy;
        private Duration maxAge;
        private Duration maxStale;
        private boolean staleIfError;
        private String compression = "gzip";
        private Instant time;
        private String target;
        private String deploymentName;
        private final List<String> jobArgs = new ArrayList<>();
        private int parallelism = 1;
        private int taskSlots = 1;
        private String serviceAccount = "flink";
        private String jobManagerMemory = "2048m";
        private double jobManagerCpu = 1;
        private String taskManagerMemory = "2048m";
        private double taskManagerCpu = 1;
        private String upgradeMode = "stateless";

        private Builder() {
        }

        public Builder base(String image) {
            this.base = image;
            return this;
        }

        public Builder flinkVersion(String version) {
            this.flinkVersion = version;
            return this;
        }

        public Builder java(Integer version) {
            this.java = version;
            return this;
        }

        public Builder scala(String version) {
            this.scala = version;
            return this;
        }

        public Builder jobJar(Path jar) {
            this.jobJar = jar;
            return this;
        }

        public Builder lib(Path jar) {
            libs.add(jar);
            return this;
        }

        public Builder conf(Path file) {
            confFiles.add(file);
            return this;
        }

        public Builder hadoopConf(Path dir) {
            this.hadoopConf = dir;
            return this;
        }

        public Builder hiveConf(Path dir) {
            this.hiveConf = dir;
            return this;
        }

        public Builder mainClass(String className) {
            this.mainClass = className;
            return this;
        }

        /** The owner of the added files (default root); the official images' flink user is 9999:9999. */
        public Builder owner(int uid, int gid) {
            this.uid = uid;
            this.gid = gid;
            return this;
        }

        public Builder platform(String platform) {
            this.platform = platform;
            return this;
        }

        public Builder policy(PullPolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder maxAge(Duration maxAge) {
            this.maxAge = maxAge;
            return this;
        }

        public Builder maxStale(Duration limit) {
            this.maxStale = limit;
            return this;
        }

        public Builder staleIfError(boolean useStaleOnError) {
            this.staleIfError = useStaleOnError;
            return this;
        }

        public Builder compression(String compression) {
            this.compression = compression;
            return this;
        }

        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        /** {@code REGISTRY/REPO:TAG}, {@code oci:DIR[:TAG]} or {@code tar:FILE}; deployments need a registry. */
        public Builder to(String target) {
            this.target = target;
            return this;
        }

        public Builder deploymentName(String name) {
            this.deploymentName = name;
            return this;
        }

        public Builder jobArg(String arg) {
            jobArgs.add(arg);
            return this;
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public Builder taskSlots(int slots) {
            this.taskSlots = slots;
            return this;
        }

        public Builder serviceAccount(String account) {
            this.serviceAccount = account;
            return this;
        }

        public Builder jobManager(String memory, double cpu) {
            this.jobManagerMemory = memory;
            this.jobManagerCpu = cpu;
            return this;
        }

        public Builder taskManager(String memory, double cpu) {
            this.taskManagerMemory = memory;
            this.taskManagerCpu = cpu;
            return this;
        }

        public Builder upgradeMode(String mode) {
            this.upgradeMode = mode;
            return this;
        }

        public FlinkBuildRequest build() {
            if (jobJar == null) {
                throw new InvalidInputException("no job jar given");
            }
            if (target == null) {
                throw new InvalidInputException("no target given: where should the image go?");
            }
            if (base == null && flinkVersion == null) {
                throw new InvalidInputException("no Flink base given: name an image, or a Flink version for the official one");
            }
            if (base != null && (java != null || scala != null)) {
                throw new InvalidInputException("Java and Scala versions choose an official image: give them with a Flink version, not with a base");
            }
            Builder copy = new Builder();
            copy.base = base;
            copy.flinkVersion = flinkVersion;
            copy.java = java;
            copy.scala = scala;
            copy.jobJar = jobJar;
            copy.libs.addAll(libs);
            copy.confFiles.addAll(confFiles);
            copy.hadoopConf = hadoopConf;
            copy.hiveConf = hiveConf;
            copy.mainClass = mainClass;
            copy.uid = uid;
            copy.gid = gid;
            copy.platform = platform;
            copy.policy = policy;
            copy.maxAge = maxAge;
            copy.maxStale = maxStale;
            copy.staleIfError = staleIfError;
            copy.compression = compression;
            copy.time = time;
            copy.target = target;
            copy.deploymentName = deploymentName;
            copy.jobArgs.addAll(jobArgs);
            copy.parallelism = parallelism;
            copy.taskSlots = taskSlots;
            copy.serviceAccount = serviceAccount;
            copy.jobManagerMemory = jobManagerMemory;
            copy.jobManagerCpu = jobManagerCpu;
            copy.taskManagerMemory = taskManagerMemory;
            copy.taskManagerCpu = taskManagerCpu;
            copy.upgradeMode = upgradeMode;
            return new FlinkBuildRequest(copy);
        }
    }
}
