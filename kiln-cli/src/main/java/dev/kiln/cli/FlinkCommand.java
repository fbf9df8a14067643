package dev.kiln.cli;

import dev.kiln.api.Destination;
import dev.kiln.api.FlinkBuildRequest;
import dev.kiln.api.FlinkBuildResult;
import dev.kiln.api.FlinkDefaults;
import dev.kiln.api.Kiln;
import dev.kiln.error.InvalidInputException;
import dev.kiln.server.client.RemoteBuilds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/** {@code kiln flink …}: Flink job images and their deployments. */
@Command(name = "flink", description = "Flink job images and their deployments.",
        subcommands = {FlinkCommand.Build.class})
final class FlinkCommand {

    @Command(name = "build", description = "Build a Flink job image (conf, libs and the job jar under FLINK_HOME, each a layer), "
            + "publish it, and write its FlinkDeployment or native-mode arguments.")
    static final class Build extends ImageBuildCommand<FlinkBuildRequest, FlinkBuildResult> {
        @Option(names = "--base", paramLabel = "IMAGE", description = "The Flink base image (or give --flink-version).")
        String base;

        @Option(names = "--flink-version", paramLabel = "VERSION",
                description = "Flink version: names the official image without --base (flink:1.18-scala_2.12-java17), and the deployment's version.")
        String flinkVersion;

        @Option(names = "--java", paramLabel = "VERSION", description = "Java version of the official image (default: the version's newest LTS).")
        Integer java;

        @Option(names = "--scala", paramLabel = "VERSION", description = "Scala version of the official image (2.12).")
        String scala;

        @Option(names = "--job-jar", required = true, paramLabel = "JAR", description = "The job's jar, for $FLINK_HOME/usrlib/.")
        Path jobJar;

        @Option(names = "--main-class", paramLabel = "CLASS", description = "The job's entry class (default: from the jar's manifest).")
        String mainClass;

        @Option(names = "--lib", paramLabel = "JAR", description = "A jar for $FLINK_HOME/lib/, e.g. a connector (repeatable; one layer each, "
                + "or one for all when the image would have more than 125 layers).")
        List<Path> libs = new ArrayList<>();

        @Option(names = "--conf", paramLabel = "FILE", description = "flink-conf.yaml or config.yaml (its settings go into the deployment), "
                + "log4j-console.properties, logback-console.xml (its logConfiguration); also to $FLINK_HOME/conf/ (repeatable; one layer each). "
                + "Other files are refused: on Kubernetes the conf dir is a volume that hides them.")
        List<Path> confFiles = new ArrayList<>();

        @Option(names = "--add", paramLabel = "SRC:DEST", description = "A file, or a directory's contents, the job reads itself, at the absolute "
                + "path DEST outside $FLINK_HOME/conf (repeatable; one layer each, after the libs).")
        List<String> adds = new ArrayList<>();

        @Option(names = "--hadoop-conf", paramLabel = "DIR", description = "Hadoop configuration, to /opt/hadoop/conf with HADOOP_CONF_DIR.")
        Path hadoopConf;

        @Option(names = "--hive-conf", paramLabel = "DIR", description = "Hive configuration, to /opt/hive/conf with HIVE_CONF_DIR.")
        Path hiveConf;

        @Option(names = "--chown", paramLabel = "UID:GID", converter = OptionValues.OwnerConverter.class,
                description = "Owner of the added files (default 0:0; the official images' flink user is 9999:9999).")
        OptionValues.Owner chown;

        @Mixin
        BaseOptions baseOptions;

        @Option(names = "--to", required = true, paramLabel = "TARGET",
                description = "REGISTRY/REPO:TAG (deployments need one), docker-daemon:NAME:TAG, oci:DIR[:TAG] or tar:FILE.")
        String target;

        @Option(names = "--deployment-out", paramLabel = "FILE", description = "Write a FlinkDeployment (flink.apache.org/v1beta1) that runs the image by digest.")
        Path deploymentOut;

        @Option(names = "--native-args-out", paramLabel = "FILE",
                description = "Write the equivalent 'flink run-application --target kubernetes-application' command.")
        Path nativeArgsOut;

        @Option(names = "--name", paramLabel = "NAME", description = "Deployment name / cluster id (default: from the target's repository).")
        String name;

        // no defaultValues here: the request holds the defaults, the descriptions quote its constants; an option
        // not given stays null, so that a --conf file's value wins over the default (and a given one over the file)
        @Option(names = "--parallelism", paramLabel = "N",
                description = "Job parallelism (default: the conf file's parallelism.default, else " + FlinkDefaults.PARALLELISM + ").")
        Integer parallelism;

        @Option(names = "--task-slots", paramLabel = "N", description = "Task slots per TaskManager "
                + "(default: the conf file's taskmanager.numberOfTaskSlots, else " + FlinkDefaults.TASK_SLOTS + ").")
        Integer taskSlots;

        @Option(names = "--service-account", paramLabel = "NAME", description = "Kubernetes service account "
                + "(default: the conf file's kubernetes.service-account, else " + FlinkDefaults.SERVICE_ACCOUNT + ").")
        String serviceAccount;

        @Option(names = "--jobmanager-memory", paramLabel = "SIZE", description = "JobManager memory "
                + "(default: the conf file's jobmanager.memory.process.size, else " + FlinkDefaults.MEMORY + ").")
        String jobManagerMemory;

        @Option(names = "--jobmanager-cpu", paramLabel = "CORES", description = "JobManager CPU "
                + "(default: the conf file's kubernetes.jobmanager.cpu.amount, else " + FlinkDefaults.CPU + ").")
        Double jobManagerCpu;

        @Option(names = "--taskmanager-memory", paramLabel = "SIZE", description = "TaskManager memory "
                + "(default: the conf file's taskmanager.memory.process.size, else " + FlinkDefaults.MEMORY + ").")
        String taskManagerMemory;

        @Option(names = "--taskmanager-cpu", paramLabel = "CORES", description = "TaskManager CPU "
                + "(default: the conf file's kubernetes.taskmanager.cpu.amount, else " + FlinkDefaults.CPU + ").")
        Double taskManagerCpu;

        @Option(names = "--upgrade-mode", paramLabel = "MODE",
                description = "The operator's upgrade mode: stateless, savepoint, last-state (default " + FlinkDefaults.UPGRADE_MODE + ").")
        String upgradeMode;

        @Mixin
        TagOption tag;

        @Option(names = "--arg", paramLabel = "ARG", description = "An argument for the job's main method (repeatable).")
        List<String> jobArgs = new ArrayList<>();

        Build() {
            super(Kiln::buildFlink, RemoteBuilds::buildFlink);
        }

        @Override
        void check() {
            FlinkBuildRequest.Builder builder = FlinkBuildRequest.builder().base(base).flinkVersion(flinkVersion).java(java).scala(scala)
                    .jobJar(jobJar).mainClass(mainClass).hadoopConf(hadoopConf).hiveConf(hiveConf).platform(baseOptions.platform)
                    .freshness(baseOptions.freshness.freshness()).to(tag.destination(target)).deploymentName(name);
            // an option not given is null: not given in the request either
            builder.parallelism(parallelism).taskSlots(taskSlots).serviceAccount(serviceAccount)
                    .jobManager(jobManagerMemory, jobManagerCpu).taskManager(taskManagerMemory, taskManagerCpu).upgradeMode(upgradeMode);
            libs.forEach(builder::lib);
            confFiles.forEach(builder::conf);
            for (String add : adds) {
                Matcher m = BuildCommand.ADD.matcher(add);
                if (!m.matches() || m.group(3) != null) {
                    throw new InvalidInputException("invalid --add '" + add + "': expected SRC:DEST with an absolute DEST, "
                            + "e.g. rules.json:/opt/flink/job-conf/rules.json (--chown owns it)");
                }
                builder.add(Path.of(m.group(1)), m.group(2));
            }
            jobArgs.forEach(builder::jobArg);
            if (chown != null) {
                builder.owner(chown.uid(), chown.gid());
            }
            request = builder.build();
            if ((deploymentOut != null || nativeArgsOut != null) && request.destination().kind() != Destination.Kind.REGISTRY) {
                throw new InvalidInputException("--deployment-out and --native-args-out need a registry target (REGISTRY/REPO:TAG)");
            }
        }

        @Override
        int print(FlinkBuildResult result) {
            if ((deploymentOut != null || nativeArgsOut != null) && result.deploymentYaml() == null) {
                throw new InvalidInputException("cannot tell the Flink version of the base: give it with --flink-version");
            }
            if (deploymentOut != null) {
                write(deploymentOut, result.deploymentYaml());
            }
            if (nativeArgsOut != null) {
                write(nativeArgsOut, result.nativeCommand());
            }
            if (common.json) {
                common.out().println(result.toJson());
            } else {
                common.out().print(BuildCommand.summary(result.build()));
                common.out().printf("  job %s%s%n", result.jarUri(), result.mainClass() == null ? "" : " (" + result.mainClass() + ")");
                if (deploymentOut != null) {
                    common.out().printf("  FlinkDeployment %s written to %s%n", result.flinkVersion(), deploymentOut);
                }
                if (nativeArgsOut != null) {
                    common.out().printf("  native-mode command written to %s%n", nativeArgsOut);
                }
                common.out().flush();
            }
            return KilnCommand.OK;
        }

        /** Replaces {@code file} atomically: a reader never sees half a deployment. */
        private static void write(Path file, String text) {
            try {
                Path absolute = file.toAbsolutePath();
                Files.createDirectories(absolute.getParent());
                Path temp = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new InvalidInputException("cannot write '" + file + "': " + e.getMessage());
            }
        }
    }
}
