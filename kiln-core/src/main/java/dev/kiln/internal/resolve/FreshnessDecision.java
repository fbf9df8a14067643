package dev.kiln.internal.resolve;

import dev.kiln.event.Durations;
import dev.kiln.image.PullPolicy;
import dev.kiln.internal.store.RefRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What to do about a reference before any request is made: a pure function of the store's record,
 * the request's freshness (policy, max-age, max-stale, stale-if-error) and the time, as okhttp's
 * {@code CacheStrategy}; the {@link Resolver} carries it out (HEADs, fetches, record writes).
 *
 * @param action       what the resolver does
 * @param outcome      the word the build log shows ({@code hit}, {@code miss}, {@code refetch}, {@code stale});
 *                     for {@link Action#REVALIDATE} the HEAD's answer gives the final word
 * @param reason       why, in the build log's words; for {@link Action#FAIL_OFFLINE} what the error says
 * @param anyCopy      a copy whose freshness no registry vouches for (a Docker engine's) may serve: only
 *                     for a tag the store lacks, under the policies that accept any copy
 * @param staleIfError an outage during the check may be answered with the cached image (within max-stale)
 */
public record FreshnessDecision(Action action, String outcome, String reason, boolean anyCopy, boolean staleIfError) {

    /** The five things a resolver can do about a reference. */
    public enum Action {
        /** Use the cached image; no request. */
        USE_CACHED,
        /** One manifest HEAD; fetch the manifest only when the tag moved. */
        REVALIDATE,
        /** Fetch the manifest (or import it from a source that holds any copy, when {@code anyCopy}). */
        FETCH,
        /** The policy forbids the network and the store cannot answer: an error, unless a local copy serves. */
        FAIL_OFFLINE,
        /** Use the cached image now and check it in the background for the next use. */
        USE_STALE_AND_CHECK_IN_BACKGROUND
    }

    /**
     * Decides for {@code spec} at {@code now}.
     *
     * @param record the store's record of the reference, if any (ignored for a digest-pinned reference)
     * @param stored whether the document the record names (or the pinned digest) is in the store
     */
    public static FreshnessDecision decide(PullSpec spec, Optional<RefRecord> record, boolean stored, Instant now) {
        PullPolicy policy = spec.policy();
        boolean offline = policy == PullPolicy.NEVER;
        if (spec.reference().isPinned()) {
            if (stored) {
                return use("hit", "pinned by digest: immutable, no request needed");
            }
            return new FreshnessDecision(offline ? Action.FAIL_OFFLINE : Action.FETCH, "miss",
                    offline ? "not in the local store" : "pinned digest not in the local store", false, false);
        }
        if (!stored) {
            // an engine cannot say how fresh its tag is: only policies that accept any copy may take it
            boolean anyCopy = policy == PullPolicy.IF_NOT_PRESENT || offline;
            return new FreshnessDecision(offline ? Action.FAIL_OFFLINE : Action.FETCH, record.isPresent() ? "refetch" : "miss",
                    record.isPresent() ? "cached manifest missing or corrupt" : "not in the local store", anyCopy, false);
        }
        RefRecord cached = record.orElseThrow(() -> new IllegalArgumentException("a stored tag has a record"));
        Duration sinceCheck = Duration.between(cached.checkedAt(), now);
        if (spec.staleness().exceeded(sinceCheck)) {
            // a hard limit: the check must happen and must succeed, so stale-if-error no longer applies
            String beyond = "last checked " + age(cached.checkedAt(), now) + " ago, beyond max-stale "
                    + Durations.words(spec.staleness().maxStale());
            return offline ? new FreshnessDecision(Action.FAIL_OFFLINE, "stale", beyond + ", and policy never forbids checking it", false, false)
                    : new FreshnessDecision(Action.REVALIDATE, "revalidate", beyond, false, false);
        }
        boolean staleIfError = spec.staleness().staleIfError();
        String checked = "checked " + age(cached.checkedAt(), now) + " ago, ";
        return switch (policy) {
            case NEVER, IF_NOT_PRESENT -> use("hit", "cached " + age(cached.fetchedAt(), now) + " ago; policy " + policy + " makes no request");
            case ALWAYS -> new FreshnessDecision(Action.REVALIDATE, "revalidate", "policy always checks every use", false, staleIfError);
            case REVALIDATE, STALE_WHILE_REVALIDATE -> {
                if (sinceCheck.compareTo(spec.maxAge()) < 0) {
                    yield use("hit", checked + "within max-age " + Durations.words(spec.maxAge()) + "; no request");
                }
                String past = checked + "past max-age " + Durations.words(spec.maxAge());
                yield policy == PullPolicy.STALE_WHILE_REVALIDATE
                        ? new FreshnessDecision(Action.USE_STALE_AND_CHECK_IN_BACKGROUND, "stale",
                                past + "; used now, checked in the background", false, false)
                        : new FreshnessDecision(Action.REVALIDATE, "revalidate", past, false, staleIfError);
            }
        };
    }

    private static FreshnessDecision use(String outcome, String reason) {
        return new FreshnessDecision(Action.USE_CACHED, outcome, reason, false, false);
    }

    /** How long ago {@code then} was, in the build log's words. */
    static String age(Instant then, Instant now) {
        return Durations.words(Duration.between(then, now));
    }
}
