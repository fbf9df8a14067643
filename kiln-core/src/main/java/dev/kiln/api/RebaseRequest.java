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
 */
public final class RebaseRequest {
    private final String image;
    private final String base;
    private final Destination destination;
    private final String platform;

    private RebaseRequest(Builder b) {
        Reference imageRef = Reference.parse(b.image == null ? "" : b.image);
        this.destination = b.target != null ? Destination.parse(b.target) : Destination.registry(imageRef.toString());
        if (destination.kind() != Destination.Kind.REGISTRY) {
            throw new InvalidInputException("a rebase is pushed to a registry (a tag in the image's repository), not to " + destination);
        }
        if (b.base != null) {
            Reference.parse(b.base);
        }
        if (b.platform != null) {
            Platform.parse(b.platform);
        }
        this.image = b.image;
        this.base = b.base;
        this.platform = b.platform;
    }

    /** A builder for rebasing {@code image} (a reference as users write it). */
    public static Builder builder(String image) {
        Builder builder = new Builder();
        builder.image = image;
        return builder;
    }

    /** The image to rebase. */
    public String image() {
        return image;
    }

    /** The new base; {@code null}: the old base's tag, as it resolves now. */
    public String base() {
        return base;
    }

    /** Where the rebased image goes: a tag in the image's repository (by default the image's own). */
    public Destination destination() {
        return destination;
    }

    /** The image's platform; {@code null}: this machine's. */
    public String platform() {
        return platform;
    }

    /** Collects a rebase's settings; {@link #build()} checks them. */
    public static final class Builder {
        private String image;
        private String base;
        private String target;
        private String platform;

        private Builder() {
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

        /** See {@link RebaseRequest#platform()}. */
        public Builder platform(String osArch) {
            this.platform = osArch;
            return this;
        }

        /** The immutable request; a malformed reference or platform, or a target that is not a registry, is an error here. */
        public RebaseRequest build() {
            return new RebaseRequest(this);
        }
    }
}
