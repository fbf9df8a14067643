package dev.kiln.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A built Flink job image: the build itself, where the job landed in the image, and how to deploy
 * it. The deployment texts exist when the target is a registry (they name the image by digest) and
 * the Flink version is known (given, or read from the base). Immutable; the {@code FlinkDeployment}
 * YAML is rendered when first asked for (the YAML library's start-up is ~15 ms of a short-lived JVM).
 */
@JsonPropertyOrder({"build", "flinkHome", "jarUri", "mainClass", "flinkVersion", "image", "deploymentYaml", "nativeArgs", "nativeCommand"})
public final class FlinkBuildResult {
    private final BuildResult build;
    private final String flinkHome;
    private final String jarUri;
    private final String mainClass;
    private final String flinkVersion;
    private final String image;
    private final Supplier<String> renderDeploymentYaml;
    private final List<String> nativeArgs;
    private final String nativeCommand;
    private String deploymentYaml;
    private boolean rendered;

    FlinkBuildResult(BuildResult build, String flinkHome, String jarUri, String mainClass, String flinkVersion, String image,
                     Supplier<String> renderDeploymentYaml, List<String> nativeArgs, String nativeCommand) {
        this.build = build;
        this.flinkHome = flinkHome;
        this.jarUri = jarUri;
        this.mainClass = mainClass;
        this.flinkVersion = flinkVersion;
        this.image = image;
        this.renderDeploymentYaml = renderDeploymentYaml;
        this.nativeArgs = List.copyOf(nativeArgs);
        this.nativeCommand = nativeCommand;
    }

    /** A result as its JSON ({@link #toJson()}) holds it, deployment rendered. */
    @JsonCreator
    FlinkBuildResult(@JsonProperty("build") BuildResult build, @JsonProperty("flinkHome") String flinkHome,
                     @JsonProperty("jarUri") String jarUri, @JsonProperty("mainClass") String mainClass,
                     @JsonProperty("flinkVersion") String flinkVersion, @JsonProperty("image") String image,
                     @JsonProperty("deploymentYaml") String deploymentYaml, @JsonProperty("nativeArgs") List<String> nativeArgs,
                     @JsonProperty("nativeCommand") String nativeCommand) {
        this(build, flinkHome, jarUri, mainClass, flinkVersion, image, () -> deploymentYaml,
                nativeArgs == null ? List.of() : nativeArgs, nativeCommand);
    }

    /** The image build: digest, layers, publication, duration. */
    @JsonProperty
    public BuildResult build() {
        return build;
    }

    /** Where Flink lives in the image, {@code /opt/flink}. */
    @JsonProperty
    public String flinkHome() {
        return flinkHome;
    }

    /** {@code local:///opt/flink/usrlib/job.jar}, as deployments name the jar. */
    @JsonProperty
    public String jarUri() {
        return jarUri;
    }

    /** The job's entry class, or {@code null} when neither given nor in the jar's manifest. */
    @JsonProperty
    public String mainClass() {
        return mainClass;
    }

    /** {@code 1.18}, or {@code null} when unknown. */
    @JsonProperty
    public String flinkVersion() {
        return flinkVersion;
    }

    /** The image by digest, or {@code null} for a target that is not a registry. */
    @JsonProperty
    public String image() {
        return image;
    }

    /** The {@code FlinkDeployment} resource, or {@code null} (see above). */
    @JsonProperty
    public synchronized String deploymentYaml() {
        if (!rendered) {
            deploymentYaml = renderDeploymentYaml.get();
            rendered = true;
        }
        return deploymentYaml;
    }

    /** {@code flink} arguments for native Kubernetes application mode, or empty (see above). */
    @JsonProperty
    public List<String> nativeArgs() {
        return nativeArgs;
    }

    /** The {@code flink run-application} command line with {@link #nativeArgs()}, or {@code null} (see above). */
    @JsonProperty
    public String nativeCommand() {
        return nativeCommand;
    }

    /** This result as {@code kiln flink build --json} prints it (the build's duration as {@code durationMs}), one document. */
    public String toJson() {
        return ResultJson.flinkBuild(this);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FlinkBuildResult that && build.equals(that.build) && Objects.equals(flinkHome, that.flinkHome)
                && Objects.equals(jarUri, that.jarUri) && Objects.equals(mainClass, that.mainClass)
                && Objects.equals(flinkVersion, that.flinkVersion) && Objects.equals(image, that.image)
                && nativeArgs.equals(that.nativeArgs) && Objects.equals(nativeCommand, that.nativeCommand)
                && Objects.equals(deploymentYaml(), that.deploymentYaml());
    }

    @Override
    public int hashCode() {
        return Objects.hash(build, flinkHome, jarUri, mainClass, flinkVersion, image, nativeArgs, nativeCommand);
    }

    @Override
    public String toString() {
        return "FlinkBuildResult[image=" + (image != null ? image : build.digest()) + ", jarUri=" + jarUri + ", mainClass="
                + mainClass + ", flinkVersion=" + flinkVersion + "]";
    }
}
