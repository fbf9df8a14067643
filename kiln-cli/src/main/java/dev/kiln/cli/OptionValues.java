package dev.kiln.cli;

import dev.kiln.api.Units;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.PullPolicy;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Option values in the formats the API reads (sizes, durations, pull policies) and the command line's own (owners,
 * {@code REGISTRY=VALUE}), converted as picocli parses the command line: a value the API refuses is a usage error with
 * the API's own message; one not in the option's form, with a {@link TypeConversionException} that says which form
 * was expected, one that {@link KilnCommand} prefixes with the option and the value.
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
        /** {@code UID:GID}, as the option takes it. */
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
                throw new TypeConversionException("expected numeric UID:GID, e.g. 9999:9999");
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

    /** {@code REGISTRY=VALUE} of --ca-file, --mirror and --digest-mirror. */
    record RegistryValue(String registry, String value) {
        /** Both parts must be there; else the form expected, {@code form}. */
        static RegistryValue parse(String text, String form) {
            int eq = text.indexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new TypeConversionException("expected " + form);
            }
            return new RegistryValue(text.substring(0, eq), text.substring(eq + 1));
        }
    }

    /** {@code REGISTRY=PEM} of --ca-file: the PEM file must be there. */
    static final class CaFileConverter implements ITypeConverter<RegistryValue> {
        @Override
        public RegistryValue convert(String text) {
            RegistryValue caFile = RegistryValue.parse(text, "REGISTRY=PEM_FILE, e.g. registry.example.com=ca.pem");
            RegistryOptions.requireFile(Path.of(caFile.value()), "--ca-file " + text + ": " + caFile.value());
            return caFile;
        }
    }

    /** {@code REGISTRY=MIRROR} of --mirror and --digest-mirror. */
    static final class MirrorConverter implements ITypeConverter<RegistryValue> {
        @Override
        public RegistryValue convert(String text) {
            return RegistryValue.parse(text, "REGISTRY=MIRROR, e.g. docker.io=127.0.0.1:5010");
        }
    }
}
