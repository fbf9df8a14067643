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
 *
 * @param image     the image reference as given ({@code flink:1.18}, {@code host:5000/ns/repo@sha256:…})
 * @param platform  {@code os/arch[/variant]}, or {@code null} for the platform Kiln runs on
 * @param freshness how fresh the cached image must be ({@code null}: {@link Freshness#DEFAULT})
 * @param verify    re-hash every cached blob instead of trusting verification stamps
 */
public record PullRequest(String image, String platform, Freshness freshness, boolean verify) {
    /** Refuses a missing or malformed reference or platform, as the command line does. */
    public PullRequest {
        if (image == null) {
            throw new InvalidInputException("no image given");
        }
        Reference.parse(image);
        if (platform != null) {
            Platform.parse(platform);
        }
        freshness = freshness == null ? Freshness.DEFAULT : freshness;
        freshness.check();
    }

    /** {@code image} for this machine's platform, with the configured freshness. */
    public static PullRequest of(String image) {
        return builder(image).build();
    }

    /** A builder for {@code image}: a reference as users write it ({@code flink:1.18}, {@code host:5000/ns/repo@sha256:…}). */
    public static Builder builder(String image) {
        return new Builder(image);
    }

    /** A builder holding this request's settings. */
    public Builder toBuilder() {
        return builder(image).platform(platform).freshness(freshness).verify(verify);
    }

    /** Collects a pull's settings; {@link #build()} checks them. */
    public static final class Builder extends Freshness.Builder<Builder, PullRequest> {
        private final String image;
        private boolean verify;

        private Builder(String image) {
            this.image = image;
        }

        /** See {@link PullRequest#verify()}. */
        public Builder verify(boolean reHash) {
            this.verify = reHash;
            return this;
        }

        /** {@inheritDoc} A malformed reference or platform is an error here, as on the command line. */
        @Override
        public PullRequest build() {
            return new PullRequest(image, platform(), freshness(), verify);
        }
    }
}
