package dev.kiln.api;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Platform;
import dev.kiln.image.Reference;

/**
 * What to pull (or inspect): an image reference, its platform, and how fresh the cached copy must
 * be. Immutable; {@link #of(String)} for the defaults, else made with {@link #builder(String)}:
 * <pre>{@code
 * PullRequest.builder("flink:1.18").platform("linux/amd64").policy(PullPolicy.REVALIDATE).build();
 * }</pre>
 */
public final class PullRequest {
    private final String image;
    private final String platform;
    private final Freshness freshness;
    private final boolean verify;

    private PullRequest(Builder b) {
        if (b.image == null) {
            throw new InvalidInputException("no image given");
        }
        Reference.parse(b.image);
        if (b.platform != null) {
            Platform.parse(b.platform);
        }
        this.image = b.image;
        this.platform = b.platform;
        this.freshness = b.freshness();
        freshness.check();
        this.verify = b.verify;
    }

    /** {@code image} for this machine's platform, with the configured freshness. */
    public static PullRequest of(String image) {
        return builder(image).build();
    }

    /** A builder for {@code image}: a reference as users write it ({@code flink:1.18}, {@code host:5000/ns/repo@sha256:…}). */
    public static Builder builder(String image) {
        Builder builder = new Builder();
        builder.image = image;
        return builder;
    }

    /** A builder holding this request's settings. */
    public Builder toBuilder() {
        return builder(image).platform(platform).freshness(freshness).verify(verify);
    }

    /** The image reference as given. */
    public String image() {
        return image;
    }

    /** {@code os/arch[/variant]}, or {@code null} for the platform Kiln runs on. */
    public String platform() {
        return platform;
    }

    /** How fresh the cached image must be. */
    public Freshness freshness() {
        return freshness;
    }

    /** Re-hash every cached blob instead of trusting verification stamps. */
    public boolean verify() {
        return verify;
    }

    /** Collects a pull's settings; {@link #build()} checks them. */
    public static final class Builder extends Freshness.Builder<Builder> {
        private String image;
        private String platform;
        private boolean verify;

        private Builder() {
        }

        /** See {@link PullRequest#platform()}. */
        public Builder platform(String osArch) {
            this.platform = osArch;
            return this;
        }

        /** See {@link PullRequest#verify()}. */
        public Builder verify(boolean reHash) {
            this.verify = reHash;
            return this;
        }

        /** The immutable request; a malformed reference or platform is an error here, as on the command line. */
        public PullRequest build() {
            return new PullRequest(this);
        }
    }
}
