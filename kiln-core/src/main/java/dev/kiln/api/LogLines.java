package dev.kiln.api;

import dev.kiln.event.KilnEvent;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The build log's text, one line per event, as every front end prints it (the CLI on stderr, the Maven plugin
 * through Maven's log): steps with their time and outcome, cache decisions, finished transfers with bytes and
 * rate, retries, notes and warnings. Transfers that start or progress have no line of their own.
 */
public final class LogLines {
    private LogLines() {
    }

    /** The line for {@code event}; empty for {@link KilnEvent.TransferStarted} and {@link KilnEvent.TransferProgress}. */
    public static Optional<String> of(KilnEvent event) {
        if (event instanceof KilnEvent.Warning w) {
            return Optional.of("warning: " + w.message());
        } else if (event instanceof KilnEvent.StepFailed f) {
            return Optional.of(f.step() + " failed after " + seconds(f.duration()));
        } else if (event instanceof KilnEvent.StepStarted s) {
            return Optional.of(s.step() + " " + s.detail());
        } else if (event instanceof KilnEvent.StepFinished f) {
            return Optional.of(f.step() + " done in " + seconds(f.duration()) + ": " + f.detail());
        } else if (event instanceof KilnEvent.CacheDecision d) {
            return Optional.of("cache " + d.outcome() + " " + d.subject() + ": " + d.reason());
        } else if (event instanceof KilnEvent.Info i) {
            return Optional.of(i.subject() + ": " + i.message());
        } else if (event instanceof KilnEvent.Retrying r) {
            return Optional.of("retry " + r.what() + " (attempt " + r.attempt() + " in " + seconds(r.delay()) + "): " + r.reason());
        } else if (event instanceof KilnEvent.TransferFinished t) {
            String verb = t.direction() == KilnEvent.Direction.DOWNLOAD ? "downloaded" : "uploaded";
            return Optional.of(verb + " " + t.digest().substring(0, Math.min(t.digest().length(), "sha256:".length() + 12)) + " "
                    + Units.formatSize(t.bytes()) + " in " + seconds(t.duration()) + rate(t.bytes(), t.duration()));
        }
        return Optional.empty();
    }

    /** Whether the event reports a problem (a warning, a failed step): shown even when the log is quiet. */
    public static boolean isProblem(KilnEvent event) {
        return event instanceof KilnEvent.Warning || event instanceof KilnEvent.StepFailed;
    }

    /** {@code 1.25s}. */
    public static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2fs", duration.toNanos() / 1e9);
    }

    private static String rate(long bytes, Duration duration) {
        double secs = duration.toNanos() / 1e9;
        return secs < 0.05 ? "" : " (" + Units.formatSize((long) (bytes / secs)) + "/s)";
    }
}
