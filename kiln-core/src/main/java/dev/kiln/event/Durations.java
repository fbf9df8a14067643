package dev.kiln.event;

import java.time.Duration;

/** How the build log words a duration: {@code 45s}, {@code 12m}, {@code 5h}, {@code 3d}. */
public final class Durations {
    private Durations() {
    }

    /** The duration in the largest unit that keeps it readable: {@code 45s}, {@code 12m}, {@code 5h}, {@code 3d}. */
    public static String words(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 7200) {
            return seconds / 60 + "m";
        }
        if (seconds < 172800) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }
}
