package dev.kiln.api;

import dev.kiln.internal.layer.Compression;

import java.time.Instant;

/**
 * What every build request has, whatever says what to add ({@link BuildRequest}'s files or Dockerfile,
 * {@link FlinkBuildRequest}'s job): the destination, the platforms, the base's freshness, the new
 * layers' compression and the reproducible time. Immutable; made by the requests' builders, which
 * validate in {@code build()}.
 */
public abstract class ImageBuildRequest {
    private final Destination destination;
    private final String platform;
    private final Freshness freshness;
    private final String compression;
    private final Instant time;

    ImageBuildRequest(Builder<?, ?> builder) {
        this.destination = builder.destination != null ? builder.destination : Destination.parse(builder.target);
        this.platform = builder.platform();
        this.freshness = builder.freshness();
        freshness.check();
        this.compression = Compression.parse(builder.compression).name().toLowerCase(java.util.Locale.ROOT);
        this.time = builder.time;
    }

    /** Where the image (or the index of several platforms) goes. */
    public Destination destination() {
        return destination;
    }

    /**
     * {@code linux/amd64}, or several comma-separated ({@code linux/amd64,linux/arm64}) for one image per
     * platform under an index (a registry or an OCI layout); {@code null}: this machine's platform.
     */
    public String platform() {
        return platform;
    }

    /** How fresh the cached base must be. */
    public Freshness freshness() {
        return freshness;
    }

    /** {@code gzip} (default) or {@code zstd}: of the new layers. */
    public String compression() {
        return compression;
    }

    /** The time written into layers and config; {@code null}: {@code SOURCE_DATE_EPOCH}, else 1970-01-01. */
    public Instant time() {
        return time;
    }

    /**
     * The settings every build request has; {@code B} is the concrete builder, {@code R} what it builds.
     *
     * @param <B> the builder's own type, returned by every setter
     * @param <R> the request it builds
     */
    public abstract static class Builder<B extends Builder<B, R>, R extends ImageBuildRequest> extends Freshness.Builder<B, R> {
        private Destination destination;
        private String target;
        private String compression = "gzip";
        private Instant time;

        Builder() {
        }

        /** Where the image goes. */
        public B to(Destination where) {
            this.destination = where;
            this.target = null;
            return self();
        }

        /** Where the image goes, in the CLI's {@code --to} form (see {@link Destination#parse(String)}); parsed by {@link #build()}. */
        public B to(String targetSpec) {
            this.target = targetSpec;
            this.destination = null;
            return self();
        }

        /** See {@link ImageBuildRequest#compression()}. */
        public B compression(String name) {
            this.compression = name;
            return self();
        }

        /** See {@link ImageBuildRequest#time()}. */
        public B time(Instant instant) {
            this.time = instant;
            return self();
        }
    }
}
