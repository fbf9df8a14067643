package dev.kiln.image;

import dev.kiln.internal.text.EnumNames;

/** When a cached base may be used without asking its registry, as Kubernetes' imagePullPolicy plus HTTP revalidation. */
public enum PullPolicy {
    /** Use the cached image without any request; pull only when absent. The default. */
    IF_NOT_PRESENT,
    /** One manifest HEAD on every use; download only what changed. */
    ALWAYS,
    /** Offline: the cached image or a clear error. */
    NEVER,
    /** Like if-not-present within max-age of the last check; one HEAD after it. */
    REVALIDATE,
    /**
     * Past max-age, use the cached image at once and check the registry in the background (one
     * HEAD); a moved tag is recorded for the next use (RFC 5861's stale-while-revalidate).
     */
    STALE_WHILE_REVALIDATE;

    /** The name the CLI and the configuration file use: {@code if-not-present}, {@code always}, … */
    public String cliName() {
        return EnumNames.lowerCase(this);
    }

    /** The policy named {@code text} (its CLI name or constant name, any case); {@code null} for {@code null}. */
    public static PullPolicy parse(String text) {
        return text == null ? null : EnumNames.parse(PullPolicy.class, text, PullPolicy::cliName, "pull policy");
    }

    @Override
    public String toString() {
        return cliName();
    }
}
