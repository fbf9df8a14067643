package dev.kiln.cli;

import dev.kiln.api.Units;
import dev.kiln.image.PullPolicy;
import picocli.CommandLine.ITypeConverter;

import java.time.Duration;

/**
 * Option values in the formats the API reads (sizes, durations, pull policies), converted as picocli parses the
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
}
