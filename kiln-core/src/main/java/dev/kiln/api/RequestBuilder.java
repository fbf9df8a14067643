package dev.kiln.api;

/**
 * The one style of Kiln's request builders (pull, rebase, image and Flink builds): every setter returns the
 * builder itself, {@link #build()} makes the immutable request and checks it, and the platform every such
 * request names is set here once.
 *
 * @param <B> the builder's own type, returned by every setter
 * @param <R> the request it builds
 */
public abstract class RequestBuilder<B extends RequestBuilder<B, R>, R> {
    private String platform;

    RequestBuilder() {
    }

    /**
     * The platform, {@code os/arch[/variant]} ({@code linux/amd64}); an image build also takes several,
     * comma-separated. {@code null}: this machine's platform.
     */
    public B platform(String osArch) {
        this.platform = osArch;
        return self();
    }

    /** The immutable request; an error names what is missing or malformed, as the CLI says it. */
    public abstract R build();

    /** The platform set so far. */
    String platform() {
        return platform;
    }

    @SuppressWarnings("unchecked")
    B self() {
        return (B) this;
    }
}
