package dev.kiln.image;

import dev.kiln.error.InvalidInputException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** When a cached base may be used without asking its registry, as Kubernetes' imagePullPolicy plus HTTP revalidation. */
public enum PullPolicy {
    /** Use the cached image without any request; pull only when absent. The default. */
    IF_NOT_PRESENT("if-not-present"),
    /** One manifest HEAD on every use; download only what changed. */
    ALWAYS("always"),
    /** Offline: the cached image or a clear error. */
    NEVER("never"),
    /** Like if-not-present within max-age of the last check; one HEAD after it. */
    REVALIDATE("revalidate"),
    /**
     * Past max-age, use the cached image at once and check the registry in the background (one
     * HEAD); a moved tag is recorded for the next use (RFC 5861's stale-while-revalidate).
     */
    STALE_WHILE_REVALIDATE("stale-while-revalidate");

    private final String cliName;

    PullPolicy(String cliName) {
        this.cliName = cliName;
    }

    /** The name the CLI and the configuration file use: {@code if-not-present}, {@code always}, … */
    public String cliName() {
        return cliName;
    }

    /** The policy named {@code text} (its CLI name or constant name, any case); {@code null} for {@code null}. */
    public static PullPolicy parse(String text) {
        if (text == null) {
            return null;
        }
        for (PullPolicy policy : values()) {
            if (policy.cliName.equals(text.toLowerCase(Locale.ROOT)) || policy.name().equalsIgnoreCase(text)) {
                return policy;
            }
        }
        throw new InvalidInputException("unknown pull policy '" + text + "': expected one of "
                + Arrays.stream(values()).map(PullPolicy::cliName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
