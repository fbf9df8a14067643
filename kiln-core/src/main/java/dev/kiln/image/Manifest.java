package dev.kiln.image;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/** An image manifest, OCI or Docker schema 2: one config blob and the layers, bottom first. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Manifest(
        int schemaVersion,
        String mediaType,
        String artifactType,
        Descriptor config,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> layers, // required by the OCI schema, even empty
        Descriptor subject,
        Map<String, String> annotations) {

    /** Copies layers and annotations; {@code null} becomes empty. */
    public Manifest {
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** Config first, then layers: every blob the image needs besides the manifest itself. */
    public List<Descriptor> blobs() {
        List<Descriptor> all = new java.util.ArrayList<>(layers.size() + 1);
        all.add(config);
        all.addAll(layers);
        return all;
    }
}
