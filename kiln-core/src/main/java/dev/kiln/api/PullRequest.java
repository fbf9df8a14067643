package dev.kiln.api;

import dev.kiln.image.PullPolicy;

import java.time.Duration;

/**
 * What to pull (or inspect): an image reference, its platform, and the cache policy. Immutable;
 * the {@code with…} methods return modified copies.
 *
 * @param image        an image reference as users write it ({@code flink:1.18}, {@code host:5000/ns/repo@sha256:…})
 * @param platform     {@code os/arch[/variant]}, or {@code null} for the platform Kiln runs on
 * @param policy       when the registry is asked; {@code null}: the registry's configured policy, else {@link PullPolicy#IF_NOT_PRESENT}
 * @param maxAge       freshness of a check under {@link PullPolicy#REVALIDATE}; {@code null}: configured, else one hour
 * @param verify       re-hash every cached blob instead of trusting verification stamps
 * @param maxStale     a cached tag not confirmed for longer is checked whatever the policy, and must answer; {@code null}: configured, else no limit
 * @param staleIfError when that check cannot reach the registry, use the cached image with a warning (within {@code maxStale})
 */
public record PullRequest(String image, String platform, PullPolicy policy, Duration maxAge, boolean verify, Duration maxStale,
                          boolean staleIfError) {

    public static PullRequest of(String image) {
        return new PullRequest(image, null, null, null, false, null, false);
    }

    public PullRequest withPlatform(String newPlatform) {
        return new PullRequest(image, newPlatform, policy, maxAge, verify, maxStale, staleIfError);
    }

    public PullRequest withPolicy(PullPolicy newPolicy) {
        return new PullRequest(image, platform, newPolicy, maxAge, verify, maxStale, staleIfError);
    }

    public PullRequest withMaxAge(Duration newMaxAge) {
        return new PullRequest(image, platform, policy, newMaxAge, verify, maxStale, staleIfError);
    }

    public PullRequest withVerify(boolean newVerify) {
        return new PullRequest(image, platform, policy, maxAge, newVerify, maxStale, staleIfError);
    }

    public PullRequest withMaxStale(Duration newMaxStale) {
        return new PullRequest(image, platform, policy, maxAge, verify, newMaxStale, staleIfError);
    }

    public PullRequest withStaleIfError(boolean useStaleOnError) {
        return new PullRequest(image, platform, policy, maxAge, verify, maxStale, useStaleOnError);
    }
}
