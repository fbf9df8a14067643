package dev.kiln.api;

import dev.kiln.error.InvalidInputException;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes and durations as people write them in flags and configuration: {@code 50GB}, {@code 512MiB}, {@code 1h30m}, {@code 7d}. */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?i?b?)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private Units() {
    }

    /** Bytes from {@code 123}, {@code 10KB}, {@code 1.5G}, {@code 512MiB}: decimal units for kB/MB/GB, binary for KiB/MiB/GiB. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new InvalidInputException("invalid size '" + text + "': expected a number with an optional unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = unit.contains("i");
        long base = binary ? 1024 : 1000;
        int power = unit.isEmpty() || unit.equals("b") ? 0 : "kmgt".indexOf(unit.charAt(0)) + 1;
        return (long) (number * Math.pow(base, power));
    }

    /** A duration from {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 7d}, {@code 2w}, or ISO-8601 {@code PT1H}. */
    public static Duration parseDuration(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            try {
                return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw invalidDuration(text);
            }
        }
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw invalidDuration(text);
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            });
            end = m.end();
        }
        if (end == 0 || end != value.length()) {
            throw invalidDuration(text);
        }
        return total;
    }

    /** {@code 1.5 MB}: decimal units, as registries and Docker show sizes. */
    public static String formatSize(long bytes) {
        return dev.kiln.event.Sizes.format(bytes);
    }

    /** {@code 90s}, {@code 1h30m}, {@code 7d}: the form {@link #parseDuration} reads; {@code null} for {@code null}. */
    public static String formatDuration(Duration duration) {
        if (duration == null) {
            return null;
        }
        if (duration.isZero()) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        long rest = duration.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (rest >= sizes[i]) {
                text.append(rest / sizes[i]).append(units[i]);
                rest %= sizes[i];
            }
        }
        return text.toString();
    }

    private static InvalidInputException invalidDuration(String text) {
        return new InvalidInputException("invalid duration '" + text + "': expected e.g. 90s, 5m, 1h30m, 7d, 2w or PT1H");
    }
}
