package dev.kiln.image;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The parts of an image configuration (OCI image config / Docker container image v1) that Kiln reads.
 * Editing keeps the original JSON tree, so fields not modelled here survive a rebuild untouched.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageConfig(
        String architecture,
        String os,
        String variant,
        @JsonProperty("os.version") String osVersion,
        String created,
        String author,
        RuntimeConfig config,
        RootFs rootfs,
        List<History> history) {

    /** Copies the history; {@code null} becomes empty. */
    public ImageConfig {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** The layers' uncompressed digests, bottom first; empty when the config has none. */
    @JsonIgnore
    public List<Digest> diffIds() {
        return rootfs == null || rootfs.diffIds() == null ? List.of() : rootfs.diffIds();
    }

    /** The runtime environment ({@code NAME=value} entries); empty when the config has none. */
    @JsonIgnore
    public List<String> env() {
        return config == null || config.env() == null ? List.of() : config.env();
    }

    /** The platform the config declares (architecture, OS, variant, OS version), normalised. */
    @JsonIgnore
    public Platform platform() {
        return new Platform(architecture, os, variant, osVersion, null).normalized();
    }

    /** What a container of this image runs with ({@code config} in the JSON). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RuntimeConfig(
            @JsonProperty("User") String user,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("StopSignal") String stopSignal) {
    }

    /** The layers as the config lists them: {@code type} {@code layers}, and their uncompressed digests. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RootFs(String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
    }

    /** One entry of the build history; {@code emptyLayer} marks steps that added no layer. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record History(
            String created,
            @JsonProperty("created_by") String createdBy,
            String author,
            String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {
    }
}
