package dev.kiln.api;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Platform;
import dev.kiln.image.Reference;

/**
 * What to rebase: an image Kiln built, the base to move it onto, where to push it and its platform.
 * Immutable; made with {@link #builder(String)}:
 * <pre>{@code
 * RebaseRequest.builder("registry.example.com/jobs/orders:42").base("flink:1.18.2-java17").build();
 * }</pre>
 *
 * @param image       the image to rebase, a reference as users write it
 * @param base        the new base; {@code null}: the old base's tag, as it resolves now
 * @param destination where the rebased image goes: a tag in the image's repository ({@code null}: the image's own)
 * @param platform    the image's platform; {@code null}: this machine's
 */
public record RebaseRequest(String image, String base, Destination destination, String platform) {
    /** Refuses a malformed reference or platform, and a destination that is not a registry. */
    public RebaseRequest {
        Reference imageRef = Reference.parse(image == null ? "" : image);
        destination = destination != null ? destination : Destination.registry(imageRef.toString());
        if (destination.kind() != Destination.Kind.REGISTRY) {
            throw new InvalidInputException("a rebase is pushed to a registry (a tag in the image's repository), not to " + destination);
        }
        if (base != null) {
            Reference.parse(base);
        }
        if (platform != null) {
            Platform.parse(platform);
        }
    }

    /** A builder for rebasing {@code image} (a reference as users write it). */
    public static Builder builder(String image) {
        return new Builder(image);
    }

    /** Collects a rebase's settings; {@link #build()} checks them. */
    public static final class Builder extends RequestBuilder<Builder, RebaseRequest> {
        private final String image;
        private String base;
        private String target;

        private Builder(String image) {
            this.image = image;
        }

        /** See {@link RebaseRequest#base()}. */
        public Builder base(String image) {
            this.base = image;
            return this;
        }

        /** A tag in the image's repository ({@code REGISTRY/REPO:TAG}); {@code null}: the image's own. */
        public Builder to(String tag) {
            this.target = tag;
            return this;
        }

        /** {@inheritDoc} A malformed reference or platform, or a target that is not a registry, is an error here. */
        @Override
        public RebaseRequest build() {
            return new RebaseRequest(image, base, target == null ? null : Destination.parse(target), platform());
        }
    }
}
