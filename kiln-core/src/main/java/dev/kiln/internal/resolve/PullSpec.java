package dev.kiln.internal.resolve;

import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Reference;
import dev.kiln.image.Staleness;

import java.time.Duration;
import java.util.Objects;

/**
 * What to resolve: a reference, for a platform, under a policy.
 *
 * @param maxAge for {@link PullPolicy#REVALIDATE}: how long a check stays fresh
 * @param verify re-hash every cached blob instead of trusting the verification stamps
 * @param staleness how stale a cached tag may be (max-stale, stale-if-error)
 */
public record PullSpec(Reference reference, Platform platform, PullPolicy policy, Duration maxAge, boolean verify, Staleness staleness) {
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);

    public PullSpec {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(policy, "policy");
        maxAge = maxAge == null ? DEFAULT_MAX_AGE : maxAge;
        staleness = staleness == null ? Staleness.STRICT : staleness;
    }

    public PullSpec(Reference reference, Platform platform, PullPolicy policy, Duration maxAge, boolean verify) {
        this(reference, platform, policy, maxAge, verify, Staleness.STRICT);
    }
}
