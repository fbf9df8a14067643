package dev.kiln.image;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI image index or Docker manifest list: one manifest per platform (plus attestations). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageIndex(
        int schemaVersion,
        String mediaType,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> manifests, // required by the OCI schema, even empty
        Map<String, String> annotations) {

    /** Docker's (BuildKit's) marker of attestation manifests inside an index. */
    private static final String REFERENCE_TYPE = "vnd.docker.reference.type";

    /** Copies manifests and annotations; {@code null} becomes empty. */
    public ImageIndex {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** The image manifest for {@code platform}; attestations and non-image entries are never chosen. */
    public Optional<Descriptor> select(Platform platform) {
        return images().stream().filter(d -> platform.matches(d.platform())).findFirst();
    }

    /** Entries that are runnable images: a known platform, an image or nested index media type. */
    public List<Descriptor> images() {
        return manifests.stream()
                .filter(d -> d.platform() != null && !d.platform().isUnknown())
                .filter(d -> !d.annotations().containsKey(REFERENCE_TYPE))
                .filter(d -> MediaTypes.isImageManifest(d.mediaType()))
                .toList();
    }

    /** The platforms this index offers, for error messages and listings. */
    public List<Platform> platforms() {
        return images().stream().map(Descriptor::platform).toList();
    }
}
