package dev.kiln.maven;

import dev.kiln.api.Destination;
import dev.kiln.api.FlinkBuildRequest;
import dev.kiln.api.FlinkBuildResult;
import dev.kiln.api.FlinkJarLayer;
import dev.kiln.api.Kiln;
import dev.kiln.error.InvalidInputException;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Builds the project's Flink job image: the main artifact as the job jar in {@code $FLINK_HOME/usrlib/}, the
 * runtime dependencies Flink's distribution lacks beside it (released, then snapshots, each group one layer; see
 * {@link FlinkLibraries}), the {@code conf} files; on the official Flink image of the project's Flink and Java
 * versions, or {@code base}. Publishes it and writes {@code flinkdeployment.yaml}, {@code image-digest} and
 * {@code image.json} (as {@code kiln flink build --json} prints it) into the output directory.
 */
@Mojo(name = "flink", defaultPhase = LifecyclePhase.PACKAGE, requiresDependencyResolution = ResolutionScope.COMPILE_PLUS_RUNTIME,
        threadSafe = true)
public class FlinkMojo extends KilnMojo {
    /** The Flink base image; default the official image of {@code flinkVersion} and {@code javaVersion}. */
    @Parameter(property = "kiln.base")
    String base;

    /** The Flink version: names the official image and the deployment's version; default the version of the project's {@code org.apache.flink} artifacts. */
    @Parameter(property = "kiln.flinkVersion")
    String flinkVersion;

    /** The official image's Java version; default {@code maven.compiler.release}, else {@code maven.compiler.target}. */
    @Parameter(property = "kiln.javaVersion")
    Integer javaVersion;

    /** The official image's Scala version (default 2.12). */
    @Parameter(property = "kiln.scala")
    String scala;

    /** Where the dependencies go under {@code $FLINK_HOME}: {@code usrlib} (beside the job jar) or {@code lib}. */
    @Parameter(property = "kiln.libDir", defaultValue = "usrlib")
    String libDir;

    /** ArtifactIds of {@code org.apache.flink} the image must carry beyond connectors and formats (e.g. {@code flink-state-processor-api}). */
    @Parameter(property = "kiln.keepFlinkArtifacts")
    List<String> keepFlinkArtifacts = new ArrayList<>();

    private static final String DEFAULT_CONF = "src/main/flink-conf";

    /**
     * Flink configuration: a directory of files, or one file ({@code flink-conf.yaml} or {@code config.yaml},
     * {@code log4j-console.properties}, {@code logback-console.xml}); the default directory may be absent.
     */
    @Parameter(property = "kiln.conf", defaultValue = "${project.basedir}/" + DEFAULT_CONF)
    File conf;

    /** The job's entry class; default the jar's manifest's. */
    @Parameter(property = "kiln.mainClass")
    String mainClass;

    /** Arguments for the job's main method. */
    @Parameter(property = "kiln.jobArgs")
    List<String> jobArgs = new ArrayList<>();

    /** The deployment's name; default from the target's repository. */
    @Parameter(property = "kiln.name")
    String name;

    /** Job parallelism (default: the conf file's {@code parallelism.default}, else 1). */
    @Parameter(property = "kiln.parallelism")
    Integer parallelism;

    /** Task slots per TaskManager (default: the conf file's, else 1). */
    @Parameter(property = "kiln.taskSlots")
    Integer taskSlots;

    /** The Kubernetes service account (default: the conf file's, else {@code flink}). */
    @Parameter(property = "kiln.serviceAccount")
    String serviceAccount;

    /** JobManager memory (default: the conf file's, else {@code 2048m}). */
    @Parameter(property = "kiln.jobManagerMemory")
    String jobManagerMemory;

    /** JobManager CPU (default: the conf file's, else 1). */
    @Parameter(property = "kiln.jobManagerCpu")
    Double jobManagerCpu;

    /** TaskManager memory (default: the conf file's, else {@code 2048m}). */
    @Parameter(property = "kiln.taskManagerMemory")
    String taskManagerMemory;

    /** TaskManager CPU (default: the conf file's, else 1). */
    @Parameter(property = "kiln.taskManagerCpu")
    Double taskManagerCpu;

    /** The operator's upgrade mode: {@code stateless} (default), {@code savepoint}, {@code last-state}. */
    @Parameter(property = "kiln.upgradeMode")
    String upgradeMode;

    @Override
    boolean needsJar() {
        return true;
    }

    @Override
    void run() throws IOException, MojoFailureException {
        File artifact = project.getArtifact().getFile();
        if (artifact == null || !artifact.isFile()) {
            throw new MojoFailureException("kiln: the project's jar is not built: run the goal after package (mvn package kiln:flink)");
        }
        Path jobJar = artifact.toPath();
        FlinkJarLayer.Directory where = jarDirectory(libDir);
        String version = flinkVersion != null ? flinkVersion : FlinkLibraries.flinkVersion(project.getArtifacts());
        if (base == null && version == null) {
            throw new InvalidInputException("cannot tell the Flink version: the project has no org.apache.flink dependency with a release "
                    + "version; give <flinkVersion> or <base>");
        }
        FlinkBuildRequest.Builder request = FlinkBuildRequest.builder().base(base).flinkVersion(version)
                .java(base == null ? javaVersion() : null).scala(scala).jobJar(jobJar).mainClass(mainClass)
                .platform(platforms).freshness(freshness()).compression(compression).to(Destination.parse(to)).deploymentName(name)
                .parallelism(parallelism).taskSlots(taskSlots).serviceAccount(serviceAccount)
                .jobManager(jobManagerMemory, jobManagerCpu).taskManager(taskManagerMemory, taskManagerCpu).upgradeMode(upgradeMode);
        jobArgs.forEach(request::jobArg);
        confFiles().forEach(request::conf);

        FlinkLibraries.Selection selection = FlinkLibraries.select(project.getArtifacts(), jobJar, keepFlinkArtifacts);
        selection.notes().forEach(note -> getLog().info("kiln: " + note));
        Path libs = outputDirectory.toPath().resolve("libs");
        if (FlinkLibraries.stage(selection.released(), libs.resolve("released"))) {
            request.jarLayer(libs.resolve("released"), where);
        }
        if (FlinkLibraries.stage(selection.snapshots(), libs.resolve("snapshots"))) {
            request.jarLayer(libs.resolve("snapshots"), where);
        }
        getLog().info("kiln: " + selection.released().size() + " released and " + selection.snapshots().size()
                + " snapshot dependencies for $FLINK_HOME/" + where.dirName() + "/");

        FlinkBuildRequest built = request.build();
        try (Kiln kiln = open()) {
            FlinkBuildResult result = kiln.buildFlink(built);
            Path out = outputDirectory.toPath();
            write(out.resolve("image-digest"), result.build().digest() + "\n");
            write(out.resolve("image.json"), result.toJson() + "\n");
            if (result.deploymentYaml() != null) {
                write(out.resolve("flinkdeployment.yaml"), result.deploymentYaml());
            } else {
                Files.deleteIfExists(out.resolve("flinkdeployment.yaml"));
                getLog().info("kiln: no flinkdeployment.yaml: the target is not a registry, or the base's Flink version is unknown");
            }
            getLog().info("kiln: wrote " + (result.deploymentYaml() != null ? "flinkdeployment.yaml, " : "") + "image-digest and image.json to " + out);
        }
    }

    private static FlinkJarLayer.Directory jarDirectory(String dir) {
        for (FlinkJarLayer.Directory d : FlinkJarLayer.Directory.values()) {
            if (d.dirName().equals(dir.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new InvalidInputException("invalid <libDir> '" + dir + "': expected usrlib or lib");
    }

    /** {@code javaVersion}, else the project's {@code maven.compiler.release} or {@code target}; {@code null}: the image's default. */
    private Integer javaVersion() {
        return javaVersion != null ? javaVersion : compilerJavaVersion(project.getProperties());
    }

    /** {@code maven.compiler.release}, else {@code maven.compiler.target} ({@code 1.8} is 8); {@code null} when neither is set. */
    static Integer compilerJavaVersion(Properties properties) {
        for (String key : List.of("maven.compiler.release", "maven.compiler.target")) {
            String value = properties.getProperty(key, "").strip();
            if (!value.isEmpty()) {
                try {
                    return Integer.valueOf(value.startsWith("1.") ? value.substring(2) : value);
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("cannot read the Java version from " + key + " '" + value + "': give <javaVersion>");
                }
            }
        }
        return null;
    }

    /** {@code conf}: a directory's files, or one file; nothing when the default directory is absent. */
    private List<Path> confFiles() throws IOException {
        Path path = conf.toPath();
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            if (path.equals(project.getBasedir().toPath().resolve(DEFAULT_CONF))) {
                return List.of();
            }
            throw new InvalidInputException("<conf> '" + conf + "' does not exist");
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
