package dev.kiln.image;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/** A content descriptor: what a manifest or index says about one blob it points to. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Descriptor(
        String mediaType,
        Digest digest,
        long size,
        Platform platform,
        Map<String, String> annotations,
        List<String> urls,
        String artifactType) {

    /** Copies annotations and URLs; {@code null} becomes empty. */
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    /** A descriptor with only media type, digest and size. */
    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, null, null, null, null);
    }

    /** This descriptor with {@code newPlatform} (as an index lists its manifests). */
    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, newPlatform, annotations, urls, artifactType);
    }

    /** This layer as an OCI manifest lists it: Docker's layer media types name the same bytes as OCI's. */
    public Descriptor asOciLayer() {
        String type = switch (mediaType) {
            case MediaTypes.DOCKER_LAYER_GZIP -> MediaTypes.OCI_LAYER_GZIP;
            case "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" -> "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
            default -> mediaType;
        };
        return new Descriptor(type, digest, size, null, annotations, urls, null);
    }
}
