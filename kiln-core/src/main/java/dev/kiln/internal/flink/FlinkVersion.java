package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.ImageConfig;
import dev.kiln.image.Reference;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Flink release, {@code 1.18} or {@code 1.18.1}, with what the official {@code flink} images of
 * its minor version offer (Java versions, Scala 2.12) and its name in the Flink Kubernetes
 * Operator's API ({@code v1_18}).
 */
public record FlinkVersion(int major, int minor, Integer patch) {
    /** Java versions of the official images per minor version, the default first. */
    private static final Map<String, List<Integer>> OFFICIAL_JAVA = new TreeMap<>(Map.of(
            "1.14", List.of(11, 8), "1.15", List.of(11, 8), "1.16", List.of(11, 8), "1.17", List.of(11, 8),
            "1.18", List.of(17, 11, 8), "1.19", List.of(17, 11, 8), "1.20", List.of(17, 11, 8),
            "2.0", List.of(17, 11, 21), "2.1", List.of(17, 11, 21)));
    private static final String SCALA = "2.12";
    private static final Pattern TEXT = Pattern.compile("v?(\\d+)[._](\\d+)(?:[._](\\d+))?");
    private static final Pattern IN_DOWNLOAD_URL = Pattern.compile("flink-(\\d+\\.\\d+(?:\\.\\d+)?)-bin");
    private static final Pattern TAG = Pattern.compile("(\\d+\\.\\d+(?:\\.\\d+)?)(?:[-_].*)?");

    /** Parses {@code 1.18}, {@code 1.18.1} or the operator's {@code v1_18}. */
    public static FlinkVersion parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new InvalidInputException("invalid Flink version '" + text + "': expected MAJOR.MINOR[.PATCH], e.g. 1.18");
        }
        return new FlinkVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? null : Integer.parseInt(m.group(3)));
    }

    /**
     * The Flink version a base image holds: its {@code FLINK_VERSION} variable, else the release in
     * the official images' {@code FLINK_TGZ_URL}, else a tag such as {@code 1.18-java17}.
     */
    public static Optional<FlinkVersion> of(Reference base, ImageConfig config) {
        for (String entry : env(config)) {
            if (entry.startsWith("FLINK_VERSION=")) {
                return Optional.of(parse(entry.substring("FLINK_VERSION=".length())));
            }
        }
        for (String entry : env(config)) {
            Matcher m = IN_DOWNLOAD_URL.matcher(entry);
            if (entry.startsWith("FLINK_TGZ_URL=") && m.find()) {
                return Optional.of(parse(m.group(1)));
            }
        }
        Matcher tag = TAG.matcher(base.tag() == null ? "" : base.tag());
        return tag.matches() ? Optional.of(parse(tag.group(1))) : Optional.empty();
    }

    static List<String> env(ImageConfig config) {
        return config == null ? List.of() : config.env();
    }

    /** Whether this is {@code major.minor} or later. */
    public boolean atLeast(int major, int minor) {
        return this.major > major || this.major == major && this.minor >= minor;
    }

    /** {@code 1.18} */
    public String minorVersion() {
        return major + "." + minor;
    }

    /** The Flink Kubernetes Operator's {@code FlinkVersion} constant: {@code v1_18}. */
    public String operatorName() {
        return "v" + major + "_" + minor;
    }

    /**
     * The official image of this version ({@code flink:1.18-scala_2.12-java17}); {@code java} null
     * takes the version's default. Unknown versions and Java versions the images lack are errors.
     */
    public Reference officialImage(Integer java, String scala) {
        List<Integer> javas = OFFICIAL_JAVA.get(minorVersion());
        if (javas == null) {
            throw new InvalidInputException("unknown Flink version " + this + ": official images exist for "
                    + String.join(", ", OFFICIAL_JAVA.keySet()) + "; name another base with --base");
        }
        int chosen = java == null ? javas.get(0) : java;
        if (!javas.contains(chosen)) {
            throw new InvalidInputException("the official Flink " + minorVersion() + " images have no Java " + chosen
                    + "; choose one of " + javas.stream().sorted().map(String::valueOf).collect(Collectors.joining(", ")));
        }
        String scalaVersion = scala == null ? SCALA : scala;
        if (!scalaVersion.equals(SCALA)) {
            throw new InvalidInputException("the official Flink images are built for Scala " + SCALA + " only, not " + scalaVersion);
        }
        return Reference.parse("flink:" + this + "-scala_" + scalaVersion + "-java" + chosen);
    }

    @Override
    public String toString() {
        return minorVersion() + (patch == null ? "" : "." + patch);
    }
}
