package dev.kiln.api;

import java.util.List;

/**
 * A built Flink job image: the build itself, where the job landed in the image, and how to deploy
 * it. The deployment texts exist when the target is a registry (they name the image by digest) and
 * the Flink version is known (given, or read from the base).
 *
 * @param jarUri         {@code local:///opt/flink/usrlib/job.jar}, as deployments name the jar
 * @param mainClass      the job's entry class, or {@code null} when neither given nor in the jar's manifest
 * @param flinkVersion   {@code 1.18}, or {@code null} when unknown
 * @param image          the image by digest, or {@code null} for a target that is not a registry
 * @param deploymentYaml the {@code FlinkDeployment} resource, or {@code null} (see above)
 * @param nativeArgs     {@code flink} arguments for native Kubernetes application mode, or empty (see above)
 */
public record FlinkBuildResult(BuildResult build, String flinkHome, String jarUri, String mainClass, String flinkVersion,
                               String image, String deploymentYaml, List<String> nativeArgs, String nativeCommand) {
    /** Copies the native arguments. */
    public FlinkBuildResult {
        nativeArgs = List.copyOf(nativeArgs);
    }

    /** This result as {@code kiln flink build --json} prints it (the build's duration as {@code durationMs}), one document. */
    public String toJson() {
        return ResultJson.flinkBuild(this);
    }
}
