package dev.kiln.event;

import java.util.Locale;

/** Byte counts as the build log shows them. */
public final class Sizes {
    private Sizes() {
    }

    /** {@code 1.5 MB}: decimal units, as registries and Docker show sizes. */
    public static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String units = "kMGTPE";
        int exp = Math.min((int) (Math.log(bytes) / Math.log(1000)), units.length());
        return String.format(Locale.ROOT, "%.1f %sB", bytes / Math.pow(1000, exp), units.charAt(exp - 1));
    }
}
