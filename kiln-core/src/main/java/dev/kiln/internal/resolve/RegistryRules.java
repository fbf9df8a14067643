package dev.kiln.internal.resolve;

import dev.kiln.image.HostPattern;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Staleness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Settings per registry, by host or glob ({@link HostPattern}): the freshness rules used when a
 * request leaves them open, and the mirrors tried before the registry. For each setting the most
 * specific pattern that sets it wins, so {@code "*"} can give defaults that {@code docker.io} refines.
 */
public final class RegistryRules {
    private final Map<HostPattern, Rule> rules;

    public RegistryRules(Map<HostPattern, Rule> rules) {
        this.rules = Map.copyOf(rules);
    }

    /**
     * What applies to one pattern; {@code null} fields are not set by it.
     *
     * @param policy       default pull policy
     * @param maxAge       default max-age for revalidation
     * @param maxStale     default max-stale
     * @param staleIfError default stale-if-error
     * @param mirrors      mirrors in the order they are tried; empty: not set
     */
    public record Rule(PullPolicy policy, Duration maxAge, Duration maxStale, Boolean staleIfError, List<Mirror> mirrors) {
        public static final Rule EMPTY = new Rule(null, null, null, null, List.of());

        public Rule {
            mirrors = List.copyOf(mirrors);
        }

        /** This rule with the given freshness settings; {@code null} ones keep this rule's. */
        public Rule withFreshness(PullPolicy newPolicy, Duration newMaxAge, Duration newMaxStale, Boolean newStaleIfError) {
            return new Rule(or(newPolicy, policy), or(newMaxAge, maxAge), or(newMaxStale, maxStale), or(newStaleIfError, staleIfError),
                    mirrors);
        }

        /** This rule with {@code mirror} tried after its other mirrors. */
        public Rule withMirror(Mirror mirror) {
            List<Mirror> more = new ArrayList<>(mirrors);
            more.add(mirror);
            return new Rule(policy, maxAge, maxStale, staleIfError, more);
        }
    }

    /** The freshness settings a resolution runs under. */
    public record Freshness(PullPolicy policy, Duration maxAge, Staleness staleness) {
    }

    /**
     * The settings for {@code registry} where the request leaves them open ({@code null}): the most
     * specific rule that sets each, else the built-in default ({@code if-not-present}, one hour, no
     * max-stale). {@code staleIfError} holds if the request or a rule asks for it.
     */
    public Freshness freshness(String registry, PullPolicy policy, Duration maxAge, Duration maxStale, boolean staleIfError) {
        List<Rule> applicable = HostPattern.matching(rules, registry);
        return new Freshness(
                or(policy, first(applicable, Rule::policy).orElse(PullPolicy.IF_NOT_PRESENT)),
                or(maxAge, first(applicable, Rule::maxAge).orElse(PullSpec.DEFAULT_MAX_AGE)),
                new Staleness(or(maxStale, first(applicable, Rule::maxStale).orElse(null)),
                        staleIfError || first(applicable, Rule::staleIfError).orElse(false)));
    }

    /** The mirrors of {@code registry}: those of the most specific rule that has any. */
    public List<Mirror> mirrors(String registry) {
        return first(HostPattern.matching(rules, registry), r -> r.mirrors().isEmpty() ? null : r.mirrors()).orElse(List.of());
    }

    private static <T> Optional<T> first(List<Rule> applicable, Function<Rule, T> setting) {
        return applicable.stream().map(setting).filter(Objects::nonNull).findFirst();
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
