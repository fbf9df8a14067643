package dev.kiln.api;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.PullPolicy;

import java.time.Duration;

/**
 * How fresh a cached image must be, for pulls and for the bases of builds (Dockerfile and Flink
 * builds included). What is left {@code null} comes from the registry's configured defaults
 * ({@code KilnBuilder.registryDefaults}, the configuration file), else Kiln's.
 *
 * @param policy       when the registry is asked; {@code null}: configured, else {@link PullPolicy#IF_NOT_PRESENT}
 * @param maxAge       freshness of a check under {@link PullPolicy#REVALIDATE} and stale-while-revalidate; {@code null}: configured, else one hour
 * @param maxStale     a cached tag not confirmed for longer is checked whatever the policy, and must answer; {@code null}: configured, else no limit
 * @param staleIfError when that check cannot reach the registry, use the cached image with a warning (within {@code maxStale})
 */
public record Freshness(PullPolicy policy, Duration maxAge, Duration maxStale, boolean staleIfError) {
    /** Everything left to the registry's configuration. */
    public static final Freshness DEFAULT = new Freshness(null, null, null, false);

    /** Refuses a negative max-age, as the CLI does. */
    public Freshness {
        if (maxAge != null && maxAge.isNegative()) {
            throw new InvalidInputException("max-age must not be negative");
        }
    }

    /**
     * Refuses settings the policy would ignore, naming both (the CLI's option names): a max-age with a
     * policy other than revalidate and stale-while-revalidate. What is left open here and comes from the
     * configuration is never a contradiction. The request builders call this in {@code build()}.
     */
    void check() {
        if (maxAge != null && policy != null && policy != PullPolicy.REVALIDATE && policy != PullPolicy.STALE_WHILE_REVALIDATE) {
            throw new InvalidInputException("--max-age " + Units.formatDuration(maxAge) + " does not apply to --policy " + policy.cliName()
                    + ": max-age applies only to revalidate and stale-while-revalidate");
        }
    }

    /** This freshness under {@code newPolicy}. */
    public Freshness withPolicy(PullPolicy newPolicy) {
        return new Freshness(newPolicy, maxAge, maxStale, staleIfError);
    }

    /** This freshness with {@code newMaxAge}. */
    public Freshness withMaxAge(Duration newMaxAge) {
        return new Freshness(policy, newMaxAge, maxStale, staleIfError);
    }

    /** This freshness with {@code newMaxStale}. */
    public Freshness withMaxStale(Duration newMaxStale) {
        return new Freshness(policy, maxAge, newMaxStale, staleIfError);
    }

    /** This freshness with stale-if-error on or off. */
    public Freshness withStaleIfError(boolean useStaleOnError) {
        return new Freshness(policy, maxAge, maxStale, useStaleOnError);
    }

    /**
     * The freshness setters every request builder that pulls has (pull, build, Flink build), written once.
     *
     * @param <B> the builder's own type, returned by every setter
     * @param <R> the request it builds
     */
    public abstract static class Builder<B extends Builder<B, R>, R> extends RequestBuilder<B, R> {
        private Freshness freshness = DEFAULT;

        Builder() {
        }

        /** How fresh the cached image must be (replaces what {@link #policy} and the others set). */
        public B freshness(Freshness value) {
            this.freshness = value == null ? DEFAULT : value;
            return self();
        }

        /** See {@link Freshness#policy()}. */
        public B policy(PullPolicy pullPolicy) {
            return freshness(freshness.withPolicy(pullPolicy));
        }

        /** See {@link Freshness#maxAge()}. */
        public B maxAge(Duration age) {
            return freshness(freshness.withMaxAge(age));
        }

        /** See {@link Freshness#maxStale()}. */
        public B maxStale(Duration limit) {
            return freshness(freshness.withMaxStale(limit));
        }

        /** See {@link Freshness#staleIfError()}. */
        public B staleIfError(boolean useStaleOnError) {
            return freshness(freshness.withStaleIfError(useStaleOnError));
        }

        /** The freshness set so far. */
        Freshness freshness() {
            return freshness;
        }
    }
}
