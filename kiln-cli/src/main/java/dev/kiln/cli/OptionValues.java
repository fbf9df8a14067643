package dev.kiln.cli;

import dev.kiln.api.Units;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.PullPolicy;
import picocli.CommandLine.ITypeConverter;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Option values in the formats the API reads (sizes, durations, pull policies, owners), converted as picocli parses the
 * command line: a value the API refuses is a usage error with the API's own message ({@link KilnCommand}).
 */
final class OptionValues {
    private OptionValues() {
    }

    /** Bytes from {@code 10GB}, {@code 512MiB}: {@link Units#parseSize}. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return Units.parseSize(text);
        }
    }

    /** A duration from {@code 90s}, {@code 7d}, {@code PT1H}: {@link Units#parseDuration}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return Units.parseDuration(text);
        }
    }

    /** A pull policy by its command-line name, e.g. {@code if-not-present}: {@link PullPolicy#parse}. */
    static final class PolicyConverter implements ITypeConverter<PullPolicy> {
        @Override
        public PullPolicy convert(String text) {
            return PullPolicy.parse(text);
        }
    }

    /** {@code --chown UID:GID} of build and flink build: who owns the files they add. */
    record Owner(int uid, int gid) {
        /** As given: {@code UID:GID}. */
        @Override
        public String toString() {
            return uid + ":" + gid;
        }
    }

    /** A numeric {@code UID:GID}. */
    static final class OwnerConverter implements ITypeConverter<Owner> {
        private static final Pattern FORM = Pattern.compile("(\\d+):(\\d+)");

        @Override
        public Owner convert(String text) {
            Matcher m = FORM.matcher(text);
            if (!m.matches()) {
                throw new InvalidInputException("invalid --chown '" + text + "': expected numeric UID:GID, e.g. 9999:9999");
            }
            return new Owner(id(m.group(1), "--chown", text), id(m.group(2), "--chown", text));
        }
    }

    /** A uid or gid (digits only): too large for an int is a usage error, not a NumberFormatException. */
    static Integer id(String digits, String option, String text) {
        try {
            return Integer.valueOf(digits);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("invalid " + option + " '" + text + "': uid and gid must be at most " + Integer.MAX_VALUE);
        }
    }
}
