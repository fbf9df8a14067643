package dev.kiln.maven;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Destination;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds an image from {@code from} and {@code layers} (by default the runtime dependencies, then the project's
 * jar, under {@code /app/libs/} and {@code /app/}, Jib's layering), with the configuration options of
 * {@code kiln build}; publishes it and writes {@code image-digest} and {@code image.json} (as {@code kiln build --json}).
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class BuildMojo extends KilnMojo {
    /** The base image, or {@code scratch}. */
    @Parameter(property = "kiln.from")
    String from;

    /** The layers, in order, each a file or a directory's contents ({@code source}) at an absolute path ({@code dest}). */
    @Parameter
    List<Layer> layers = new ArrayList<>();

    /** Environment variables. */
    @Parameter
    Map<String, String> environment = Map.of();

    /** The entrypoint, in exec form. */
    @Parameter(property = "kiln.entrypoint")
    List<String> entrypoint;

    /** Default arguments, in exec form. */
    @Parameter(property = "kiln.cmd")
    List<String> cmd;

    /** The working directory. */
    @Parameter(property = "kiln.workdir")
    String workdir;

    /** The user the container runs as ({@code USER[:GROUP]}). */
    @Parameter(property = "kiln.user")
    String user;

    /** Labels. */
    @Parameter
    Map<String, String> labels = Map.of();

    /** Ports to declare ({@code 8080}, {@code 53/udp}). */
    @Parameter(property = "kiln.ports")
    List<String> ports = new ArrayList<>();

    /** One layer: a file, or a directory's contents, at an absolute path (a file into {@code dest/} when it ends with {@code /}). */
    public static class Layer {
        /** The file or directory. */
        File source;
        /** Where it goes in the image. */
        String dest;
    }

    /** The default layers hold the jar; layers of one's own may not. */
    @Override
    boolean needsJar() {
        return layers.isEmpty();
    }

    @Override
    void run() throws IOException, MojoFailureException {
        if (from == null || from.isBlank()) {
            throw new InvalidInputException("no base: give <from> (an image, or scratch)");
        }
        BuildRequest.Builder request = ("scratch".equals(from) ? BuildRequest.scratch() : BuildRequest.from(from))
                .to(Destination.parse(to)).platform(platforms).freshness(freshness()).compression(compression)
                .workingDir(workdir).user(user);
        for (Layer layer : layers.isEmpty() ? defaultLayers() : layers) {
            if (layer.source == null || layer.dest == null) {
                throw new InvalidInputException("a <layer> needs a <source> and a <dest>");
            }
            request.add(layer.source.toPath(), layer.dest);
        }
        environment.forEach(request::env);
        labels.forEach(request::label);
        ports.forEach(request::expose);
        if (entrypoint != null) {
            request.entrypoint(entrypoint);
        }
        if (cmd != null) {
            request.cmd(cmd);
        }
        BuildRequest built = request.build();
        try (Kiln kiln = open()) {
            BuildResult result = kiln.build(built);
            write(outputDirectory.toPath().resolve("image-digest"), result.digest() + "\n");
            write(outputDirectory.toPath().resolve("image.json"), result.toJson() + "\n");
            getLog().info("kiln: wrote image-digest and image.json to " + outputDirectory);
        }
    }

    /** The runtime dependencies (one layer, {@code /app/libs/}), then the project's jar ({@code /app/}). */
    private List<Layer> defaultLayers() throws IOException, MojoFailureException {
        File jar = project.getArtifact().getFile();
        if (jar == null || !jar.isFile()) {
            throw new MojoFailureException("kiln: the project's jar is not built: run the goal after package (mvn package kiln:build)");
        }
        List<Artifact> dependencies = project.getArtifacts().stream()
                .filter(a -> "jar".equals(a.getArtifactHandler().getExtension())).sorted((x, y) -> x.getId().compareTo(y.getId())).toList();
        List<Layer> defaults = new ArrayList<>();
        Path libs = outputDirectory.toPath().resolve("libs/dependencies");
        if (FlinkLibraries.stage(dependencies, libs)) {
            defaults.add(layer(libs.toFile(), "/app/libs/"));
        }
        defaults.add(layer(jar, "/app/"));
        return defaults;
    }

    private static Layer layer(File source, String dest) {
        Layer layer = new Layer();
        layer.source = source;
        layer.dest = dest;
        return layer;
    }
}
