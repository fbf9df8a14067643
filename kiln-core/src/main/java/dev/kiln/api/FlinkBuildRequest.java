package dev.kiln.api;

import dev.kiln.error.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Flink job image: a Flink base (an image, or a Flink version that names the official image), the
 * job jar, extra jars for {@code $FLINK_HOME/lib/}, files for {@code $FLINK_HOME/conf/}, Hadoop and
 * Hive configuration, and the settings every build has ({@link ImageBuildRequest}); plus how to deploy
 * it, for {@link FlinkBuildResult#deploymentYaml()} and {@link FlinkBuildResult#nativeCommand()}.
 * Made with {@link #builder()}:
 * <pre>{@code
 * FlinkBuildRequest.builder()
 *     .flinkVersion("1.18").java(17)
 *     .jobJar(Path.of("target/orders.jar"))
 *     .lib(Path.of("flink-connector-kafka.jar"))
 *     .to(Destination.registry("registry.example.com/jobs/orders:42"))
 *     .parallelism(4)
 *     .build();
 * }</pre>
 * The deployment's defaults follow the Flink Kubernetes Operator's examples and are written only
 * here ({@link FlinkDefaults}), for the API and the CLI alike. An option that is also a Flink
 * configuration key (parallelism, task slots, service account, memory, CPU) stays {@code null} unless
 * given: a given value wins over a {@code --conf} file's, and a default applies only where the file is silent.
 */
public final class FlinkBuildRequest extends ImageBuildRequest {
    /**
     * What the JobManager or each TaskManager gets; a {@code null} value is not given, so a {@code --conf}
     * file's value, else the default ({@value FlinkDefaults#MEMORY}, 1 CPU).
     *
     * @param memory the process size, {@code 2048m} ({@code jobmanager.memory.process.size}, {@code taskmanager.memory.process.size})
     * @param cpu    CPU cores ({@code kubernetes.jobmanager.cpu.amount}, {@code kubernetes.taskmanager.cpu.amount})
     */
    public record Resources(String memory, Double cpu) {
    }

    /**
     * Who owns the files the build adds (default root); the official images' flink user is 9999:9999.
     *
     * @param uid the owner
     * @param gid the owner's group
     */
    public record Owner(int uid, int gid) {
    }

    private final String base;
    private final String flinkVersion;
    private final Integer java;
    private final String scala;
    private final Path jobJar;
    private final List<Path> libs;
    private final List<FlinkJarLayer> jarLayers;
    private final List<Path> confFiles;
    private final List<BuildRequest.Add> adds;
    private final Path hadoopConf;
    private final Path hiveConf;
    private final String mainClass;
    private final Owner owner;
    private final String deploymentName;
    private final List<String> jobArgs;
    private final Integer parallelism;
    private final Integer taskSlots;
    private final String serviceAccount;
    private final Resources jobManager;
    private final Resources taskManager;
    private final String upgradeMode;

    private FlinkBuildRequest(Builder b) {
        super(b);
        this.base = b.base;
        this.flinkVersion = b.flinkVersion;
        this.java = b.java;
        this.scala = b.scala;
        this.jobJar = b.jobJar;
        this.libs = List.copyOf(b.libs);
        this.jarLayers = List.copyOf(b.jarLayers);
        this.confFiles = List.copyOf(b.confFiles);
        this.adds = List.copyOf(b.adds);
        this.hadoopConf = b.hadoopConf;
        this.hiveConf = b.hiveConf;
        this.mainClass = b.mainClass;
        this.owner = b.owner;
        this.deploymentName = b.deploymentName;
        this.jobArgs = List.copyOf(b.jobArgs);
        this.parallelism = b.parallelism;
        this.taskSlots = b.taskSlots;
        this.serviceAccount = b.serviceAccount;
        this.jobManager = b.jobManager;
        this.taskManager = b.taskManager;
        this.upgradeMode = b.upgradeMode;
    }

    /** A builder; the deployment options left unset stay {@code null}, not given. */
    public static Builder builder() {
        return new Builder();
    }

    /** The base image; {@code null} when {@link #flinkVersion()} names the official one. */
    public String base() {
        return base;
    }

    /**
     * {@code 1.18} or {@code 1.18.1}: without a {@link #base()}, it names the official image; it is the
     * deployment's version in any case ({@code null}: read from the base).
     */
    public String flinkVersion() {
        return flinkVersion;
    }

    /** The official image's Java version; {@code null}: the version's default. */
    public Integer java() {
        return java;
    }

    /** The official image's Scala version; {@code null}: the version's default. */
    public String scala() {
        return scala;
    }

    /** The job's jar, for {@code $FLINK_HOME/usrlib/}. */
    public Path jobJar() {
        return jobJar;
    }

    /** Jars for {@code $FLINK_HOME/lib/}, one layer each (one for all when the image would have more than 125 layers). */
    public List<Path> libs() {
        return libs;
    }

    /** Directories of jars, one layer each, after the {@link #libs()}: see {@link Builder#jarLayer(Path, FlinkJarLayer.Directory)}. */
    public List<FlinkJarLayer> jarLayers() {
        return jarLayers;
    }

    /**
     * Files for {@code $FLINK_HOME/conf/}, one layer each, and for the deployment: {@code flink-conf.yaml} or
     * {@code config.yaml} (its settings), {@code log4j-console.properties}, {@code logback-console.xml}; any
     * other file is refused, as Kubernetes would hide it (see {@link dev.kiln.internal.flink.ConfFiles}).
     */
    public List<Path> confFiles() {
        return confFiles;
    }

    /** Files the job reads itself, one layer each after the libs; never under {@code $FLINK_HOME/conf}, which Kubernetes hides. */
    public List<BuildRequest.Add> adds() {
        return adds;
    }

    /** Hadoop configuration for {@code /opt/hadoop/conf}; {@code null}: none. */
    public Path hadoopConf() {
        return hadoopConf;
    }

    /** Hive configuration for {@code /opt/hive/conf}; {@code null}: none. */
    public Path hiveConf() {
        return hiveConf;
    }

    /** The job's entry class; {@code null}: the jar's manifest says. */
    public String mainClass() {
        return mainClass;
    }

    /** The added files' owner and group. */
    public Owner owner() {
        return owner;
    }

    /** The deployment's name; {@code null}: derived from the target's repository. */
    public String deploymentName() {
        return deploymentName;
    }

    /** Arguments for the job's main method. */
    public List<String> jobArgs() {
        return jobArgs;
    }

    /**
     * The job's parallelism ({@code parallelism.default}); {@code null}: not given, so a {@code --conf} file's
     * value, else {@value FlinkDefaults#PARALLELISM}. The same holds for the options below and their keys.
     */
    public Integer parallelism() {
        return parallelism;
    }

    /** Task slots per TaskManager ({@code taskmanager.numberOfTaskSlots}); {@code null}: not given (default {@value FlinkDefaults#TASK_SLOTS}). */
    public Integer taskSlots() {
        return taskSlots;
    }

    /** The Kubernetes service account the job runs as ({@code kubernetes.service-account}); {@code null}: not given. */
    public String serviceAccount() {
        return serviceAccount;
    }

    /** The JobManager's memory and CPU, each {@code null} when not given. */
    public Resources jobManager() {
        return jobManager;
    }

    /** Each TaskManager's memory and CPU, each {@code null} when not given. */
    public Resources taskManager() {
        return taskManager;
    }

    /** The operator's upgrade mode: {@code stateless}, {@code savepoint} or {@code last-state}. */
    public String upgradeMode() {
        return upgradeMode;
    }

    /** Collects the settings; the defaults apply when the request is built into a deployment. */
    public static final class Builder extends ImageBuildRequest.Builder<Builder, FlinkBuildRequest> {
        private String base;
        private String flinkVersion;
        private Integer java;
        private String scala;
        private Path jobJar;
        private final List<Path> libs = new ArrayList<>();
        private final List<FlinkJarLayer> jarLayers = new ArrayList<>();
        private final List<Path> confFiles = new ArrayList<>();
        private final List<BuildRequest.Add> adds = new ArrayList<>();
        private Path hadoopConf;
        private Path hiveConf;
        private String mainClass;
        private Owner owner = new Owner(0, 0);
        private String deploymentName;
        private final List<String> jobArgs = new ArrayList<>();
        private Integer parallelism;
        private Integer taskSlots;
        private String serviceAccount;
        private Resources jobManager = new Resources(null, null);
        private Resources taskManager = new Resources(null, null);
        private String upgradeMode = FlinkDefaults.UPGRADE_MODE;

        private Builder() {
        }

        /** See {@link FlinkBuildRequest#base()}. */
        public Builder base(String image) {
            this.base = image;
            return this;
        }

        /** See {@link FlinkBuildRequest#flinkVersion()}. */
        public Builder flinkVersion(String version) {
            this.flinkVersion = version;
            return this;
        }

        /** See {@link FlinkBuildRequest#java()}. */
        public Builder java(Integer version) {
            this.java = version;
            return this;
        }

        /** See {@link FlinkBuildRequest#scala()}. */
        public Builder scala(String version) {
            this.scala = version;
            return this;
        }

        /** See {@link FlinkBuildRequest#jobJar()}. */
        public Builder jobJar(Path jar) {
            this.jobJar = jar;
            return this;
        }

        /** Adds a jar for {@code $FLINK_HOME/lib/}. */
        public Builder lib(Path jar) {
            libs.add(jar);
            return this;
        }

        /**
         * Adds the jars of {@code directory} as one layer in {@code $FLINK_HOME/lib/} or {@code usrlib/}, after the
         * {@link #lib(Path)} jars and in the order added: jars that change together (a Maven project's released
         * dependencies, then its snapshots) share a layer, so that a new release of the job uploads only its own.
         */
        public Builder jarLayer(Path directory, FlinkJarLayer.Directory where) {
            jarLayers.add(new FlinkJarLayer(directory, where));
            return this;
        }

        /** Adds a file for {@code $FLINK_HOME/conf/}; see {@link FlinkBuildRequest#confFiles()}. */
        public Builder conf(Path file) {
            confFiles.add(file);
            return this;
        }

        /** Adds a file, or a directory's contents, at the absolute {@code destination}, owned as the other files. */
        public Builder add(Path source, String destination) {
            adds.add(new BuildRequest.Add(source, destination, null, null));
            return this;
        }

        /** See {@link FlinkBuildRequest#hadoopConf()}. */
        public Builder hadoopConf(Path dir) {
            this.hadoopConf = dir;
            return this;
        }

        /** See {@link FlinkBuildRequest#hiveConf()}. */
        public Builder hiveConf(Path dir) {
            this.hiveConf = dir;
            return this;
        }

        /** See {@link FlinkBuildRequest#mainClass()}. */
        public Builder mainClass(String className) {
            this.mainClass = className;
            return this;
        }

        /** The owner of the added files (default root); the official images' flink user is 9999:9999. */
        public Builder owner(int ownerUid, int ownerGid) {
            this.owner = new Owner(ownerUid, ownerGid);
            return this;
        }

        /** See {@link FlinkBuildRequest#deploymentName()}. */
        public Builder deploymentName(String name) {
            this.deploymentName = name;
            return this;
        }

        /** Adds an argument for the job's main method. */
        public Builder jobArg(String arg) {
            jobArgs.add(arg);
            return this;
        }

        /** See {@link FlinkBuildRequest#parallelism()}; {@code null}: not given (the file's value, else {@value FlinkDefaults#PARALLELISM}). */
        public Builder parallelism(Integer value) {
            this.parallelism = value;
            return this;
        }

        /** See {@link FlinkBuildRequest#taskSlots()}; {@code null}: not given (the file's value, else {@value FlinkDefaults#TASK_SLOTS}). */
        public Builder taskSlots(Integer slots) {
            this.taskSlots = slots;
            return this;
        }

        /** See {@link FlinkBuildRequest#serviceAccount()}; {@code null}: not given (the file's, else {@value FlinkDefaults#SERVICE_ACCOUNT}). */
        public Builder serviceAccount(String account) {
            this.serviceAccount = account;
            return this;
        }

        /** The JobManager's memory and CPU; {@code null}: not given (the file's, else {@value FlinkDefaults#MEMORY}, 1 CPU). */
        public Builder jobManager(String memory, Double cpu) {
            this.jobManager = new Resources(memory, cpu);
            return this;
        }

        /** Each TaskManager's memory and CPU; {@code null}: not given (the file's, else {@value FlinkDefaults#MEMORY}, 1 CPU). */
        public Builder taskManager(String memory, Double cpu) {
            this.taskManager = new Resources(memory, cpu);
            return this;
        }

        /** See {@link FlinkBuildRequest#upgradeMode()}; default {@value FlinkDefaults#UPGRADE_MODE}; {@code null}: unchanged. */
        public Builder upgradeMode(String mode) {
            this.upgradeMode = mode != null ? mode : upgradeMode;
            return this;
        }

        /** {@inheritDoc} Needs a job jar and a base (an image, or a Flink version). */
        @Override
        public FlinkBuildRequest build() {
            if (jobJar == null) {
                throw new InvalidInputException("no job jar given");
            }
            if (base == null && flinkVersion == null) {
                throw new InvalidInputException("no Flink base given: name an image, or a Flink version for the official one");
            }
            if (base != null && (java != null || scala != null)) {
                throw new InvalidInputException("Java and Scala versions choose an official image: give them with a Flink version, not with a base");
            }
            return new FlinkBuildRequest(this);
        }
    }
}
