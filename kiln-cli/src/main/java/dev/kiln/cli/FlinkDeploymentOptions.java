package dev.kiln.cli;

import dev.kiln.api.Destination;
import dev.kiln.api.FlinkBuildRequest;
import dev.kiln.api.FlinkBuildResult;
import dev.kiln.api.FlinkDefaults;
import dev.kiln.error.InvalidInputException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What {@code kiln flink build} writes besides the image: a FlinkDeployment, the native-mode command, and the
 * deployment's settings they carry.
 */
final class FlinkDeploymentOptions {
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

    /** Puts the deployment's settings into the request; an option not given is null, not given in the request either. */
    void applyTo(FlinkBuildRequest.Builder builder) {
        builder.deploymentName(name).parallelism(parallelism).taskSlots(taskSlots).serviceAccount(serviceAccount)
                .jobManager(jobManagerMemory, jobManagerCpu).taskManager(taskManagerMemory, taskManagerCpu).upgradeMode(upgradeMode);
    }

    /** A deployment runs the image from a registry: written for one only. */
    void check(FlinkBuildRequest request) {
        if (writes() && request.destination().kind() != Destination.Kind.REGISTRY) {
            throw new InvalidInputException("--deployment-out and --native-args-out need a registry target (REGISTRY/REPO:TAG)");
        }
    }

    /** Writes the files asked for, of the image {@code result} built. */
    void write(FlinkBuildResult result) {
        if (writes() && result.deploymentYaml() == null) {
            throw new InvalidInputException("cannot tell the Flink version of the base: give it with --flink-version");
        }
        if (deploymentOut != null) {
            write(deploymentOut, result.deploymentYaml());
        }
        if (nativeArgsOut != null) {
            write(nativeArgsOut, result.nativeCommand());
        }
    }

    /** The human summary's lines for the files written. */
    void summarize(PrintWriter out, FlinkBuildResult result) {
        if (deploymentOut != null) {
            out.printf("  FlinkDeployment %s written to %s%n", result.flinkVersion(), deploymentOut);
        }
        if (nativeArgsOut != null) {
            out.printf("  native-mode command written to %s%n", nativeArgsOut);
        }
    }

    private boolean writes() {
        return deploymentOut != null || nativeArgsOut != null;
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
