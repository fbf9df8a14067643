package dev.kiln.internal.resolve;

import dev.kiln.image.Digest;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Reference;
import dev.kiln.image.Staleness;
import dev.kiln.internal.resolve.FreshnessDecision.Action;
import dev.kiln.internal.store.RefRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The freshness decision as a table: every policy × record state × stale-if-error, with max-age 1h
 * and max-stale 6h; no registry, no store, no clock.
 */
class FreshnessDecisionTest {
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
    private static final Digest CACHED = Digest.sha256("cached".getBytes(StandardCharsets.UTF_8));
    private static final Reference TAG = Reference.parse("registry.example/base/flink:1.18");
    private static final Reference PINNED = TAG.withDigest(CACHED);

    /** A record state, as the resolver reads it from the store before deciding. */
    private enum State {
        /** No record, nothing stored. */
        ABSENT(TAG, null, false),
        /** A record whose manifest is missing or corrupt. */
        MANIFEST_MISSING(TAG, Duration.ofMinutes(10), false),
        /** Checked 10 minutes ago: within max-age and max-stale. */
        FRESH(TAG, Duration.ofMinutes(10), true),
        /** Checked 2 hours ago: past max-age 1h, within max-stale 6h. */
        PAST_MAX_AGE(TAG, Duration.ofHours(2), true),
        /** Checked 7 hours ago: past max-stale 6h. */
        PAST_MAX_STALE(TAG, Duration.ofHours(7), true),
        /** Pinned by digest, in the store (its record, if any, does not matter). */
        PINNED_STORED(PINNED, Duration.ofDays(30), true),
        /** Pinned by digest, not in the store. */
        PINNED_ABSENT(PINNED, null, false);

        final Reference ref;
        final Duration checkedAgo;
        final boolean stored;

        State(Reference ref, Duration checkedAgo, boolean stored) {
            this.ref = ref;
            this.checkedAgo = checkedAgo;
            this.stored = stored;
        }

        Optional<RefRecord> record() {
            return Optional.ofNullable(checkedAgo).map(ago -> new RefRecord(ref.toString(), CACHED, "application/vnd.oci.image.manifest.v1+json",
                    NOW.minus(Duration.ofHours(8)), NOW.minus(ago), Map.of()));
        }
    }

    private static FreshnessDecision decide(PullPolicy policy, State state, boolean staleIfError) {
        PullSpec spec = new PullSpec(state.ref, Platform.parse("linux/amd64"), policy, Duration.ofHours(1), false,
                new Staleness(Duration.ofHours(6), staleIfError));
        return FreshnessDecision.decide(spec, state.record(), state.stored, NOW);
    }

    @ParameterizedTest(name = "{0} × {1} × stale-if-error {2} → {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # policy              | state            | stale-if-error | action                            | outcome    | any copy | stale on error | reason
            if-not-present         | ABSENT           | both  | FETCH                             | miss       | true  | false | not in the local store
            always                 | ABSENT           | both  | FETCH                             | miss       | false | false | not in the local store
            never                  | ABSENT           | both  | FAIL_OFFLINE                      | miss       | true  | false | not in the local store
            revalidate             | ABSENT           | both  | FETCH                             | miss       | false | false | not in the local store
            stale-while-revalidate | ABSENT           | both  | FETCH                             | miss       | false | false | not in the local store

            if-not-present         | MANIFEST_MISSING | both  | FETCH                             | refetch    | true  | false | cached manifest missing or corrupt
            always                 | MANIFEST_MISSING | both  | FETCH                             | refetch    | false | false | cached manifest missing or corrupt
            never                  | MANIFEST_MISSING | both  | FAIL_OFFLINE                      | refetch    | true  | false | cached manifest missing or corrupt
            revalidate             | MANIFEST_MISSING | both  | FETCH                             | refetch    | false | false | cached manifest missing or corrupt
            stale-while-revalidate | MANIFEST_MISSING | both  | FETCH                             | refetch    | false | false | cached manifest missing or corrupt

            if-not-present         | FRESH            | both  | USE_CACHED                        | hit        | false | false | cached 8h ago; policy if-not-present makes no request
            always                 | FRESH            | false | REVALIDATE                        | revalidate | false | false | policy always checks every use
            always                 | FRESH            | true  | REVALIDATE                        | revalidate | false | true  | policy always checks every use
            never                  | FRESH            | both  | USE_CACHED                        | hit        | false | false | cached 8h ago; policy never makes no request
            revalidate             | FRESH            | both  | USE_CACHED                        | hit        | false | false | checked 10m ago, within max-age 60m; no request
            stale-while-revalidate | FRESH            | both  | USE_CACHED                        | hit        | false | false | checked 10m ago, within max-age 60m; no request

            if-not-present         | PAST_MAX_AGE     | both  | USE_CACHED                        | hit        | false | false | cached 8h ago; policy if-not-present makes no request
            always                 | PAST_MAX_AGE     | false | REVALIDATE                        | revalidate | false | false | policy always checks every use
            always                 | PAST_MAX_AGE     | true  | REVALIDATE                        | revalidate | false | true  | policy always checks every use
            never                  | PAST_MAX_AGE     | both  | USE_CACHED                        | hit        | false | false | cached 8h ago; policy never makes no request
            revalidate             | PAST_MAX_AGE     | false | REVALIDATE                        | revalidate | false | false | checked 2h ago, past max-age 60m
            revalidate             | PAST_MAX_AGE     | true  | REVALIDATE                        | revalidate | false | true  | checked 2h ago, past max-age 60m
            stale-while-revalidate | PAST_MAX_AGE     | both  | USE_STALE_AND_CHECK_IN_BACKGROUND | stale      | false | false | checked 2h ago, past max-age 60m; used now, checked in the background

            if-not-present         | PAST_MAX_STALE   | both  | REVALIDATE                        | revalidate | false | false | last checked 7h ago, beyond max-stale 6h
            always                 | PAST_MAX_STALE   | both  | REVALIDATE                        | revalidate | false | false | last checked 7h ago, beyond max-stale 6h
            never                  | PAST_MAX_STALE   | both  | FAIL_OFFLINE                      | stale      | false | false | last checked 7h ago, beyond max-stale 6h, and policy never forbids checking it
            revalidate             | PAST_MAX_STALE   | both  | REVALIDATE                        | revalidate | false | false | last checked 7h ago, beyond max-stale 6h
            stale-while-revalidate | PAST_MAX_STALE   | both  | REVALIDATE                        | revalidate | false | false | last checked 7h ago, beyond max-stale 6h

            if-not-present         | PINNED_STORED    | both  | USE_CACHED                        | hit        | false | false | pinned by digest: immutable, no request needed
            always                 | PINNED_STORED    | both  | USE_CACHED                        | hit        | false | false | pinned by digest: immutable, no request needed
            never                  | PINNED_STORED    | both  | USE_CACHED                        | hit        | false | false | pinned by digest: immutable, no request needed
            revalidate             | PINNED_STORED    | both  | USE_CACHED                        | hit        | false | false | pinned by digest: immutable, no request needed
            stale-while-revalidate | PINNED_STORED    | both  | USE_CACHED                        | hit        | false | false | pinned by digest: immutable, no request needed

            if-not-present         | PINNED_ABSENT    | both  | FETCH                             | miss       | false | false | pinned digest not in the local store
            always                 | PINNED_ABSENT    | both  | FETCH                             | miss       | false | false | pinned digest not in the local store
            never                  | PINNED_ABSENT    | both  | FAIL_OFFLINE                      | miss       | false | false | not in the local store
            revalidate             | PINNED_ABSENT    | both  | FETCH                             | miss       | false | false | pinned digest not in the local store
            stale-while-revalidate | PINNED_ABSENT    | both  | FETCH                             | miss       | false | false | pinned digest not in the local store
            """)
    void decidesFromRecordPolicyAndTimeAlone(String policy, State state, String staleIfError, Action action, String outcome,
                                             boolean anyCopy, boolean staleOnError, String reason) {
        List<Boolean> inputs = staleIfError.equals("both") ? List.of(false, true) : List.of(Boolean.parseBoolean(staleIfError));
        for (boolean input : inputs) {
            FreshnessDecision decision = decide(PullPolicy.parse(policy), state, input);
            assertThat(decision).as("stale-if-error %s", input)
                    .isEqualTo(new FreshnessDecision(action, outcome, reason, anyCopy, staleOnError));
        }
    }

    @Test
    void withoutMaxStaleAnOldCheckNeverForcesARequest() {
        PullSpec spec = new PullSpec(TAG, Platform.parse("linux/amd64"), PullPolicy.IF_NOT_PRESENT, null, false);
        FreshnessDecision decision = FreshnessDecision.decide(spec, State.PAST_MAX_STALE.record(), true, NOW.plus(Duration.ofDays(365)));
        assertThat(decision.action()).isEqualTo(Action.USE_CACHED);
    }
}
