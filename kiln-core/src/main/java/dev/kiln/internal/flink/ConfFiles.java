package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@code --conf} files say, for the deployment. On Kubernetes the image's {@code $FLINK_HOME/conf}
 * never takes effect: the Flink Kubernetes Operator, like Flink's native mode, mounts a ConfigMap at
 * {@code kubernetes.flink.conf.dir} in every JobManager and TaskManager pod, built from the deployment's
 * {@code flinkConfiguration} and {@code logConfiguration}, and the volume hides what the image put there.
 * So the files are understood: {@code flink-conf.yaml} and Flink 1.19+'s {@code config.yaml} become
 * settings, {@code log4j-console.properties} and {@code logback-console.xml} the log configuration, and any
 * other file is refused (it would be hidden). The image still carries them all, for local runs.
 *
 * @param configFile       {@value #FLAT} or {@value #NESTED}, or {@code null}: neither given
 * @param settings         every setting, flat {@code key → value} text, in the file's order
 * @param origins          the file each setting came from
 * @param logConfiguration log file name → its text
 */
public record ConfFiles(String configFile, Map<String, String> settings, Map<String, String> origins, Map<String, String> logConfiguration) {
    /** Flink's flat configuration file (legacy from 1.19 on, gone in 2.0). */
    public static final String FLAT = "flink-conf.yaml";
    /** Flink 1.19+'s standard YAML configuration file. */
    public static final String NESTED = "config.yaml";
    /** The log configurations the pods read, the operator's {@code logConfiguration} keys. */
    public static final List<String> LOG_FILES = List.of("log4j-console.properties", "logback-console.xml");
    /** No files. */
    public static final ConfFiles NONE = new ConfFiles(null, Map.of(), Map.of(), Map.of());

    public ConfFiles {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        origins = Map.copyOf(origins);
        logConfiguration = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(logConfiguration));
    }

    /** Reads and checks the files; any file Kiln cannot place is refused with the reason. */
    public static ConfFiles read(List<Path> files) {
        String configFile = null;
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        Map<String, String> logs = new LinkedHashMap<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.equals(FLAT) || name.equals(NESTED)) {
                if (configFile != null) {
                    throw new InvalidInputException("both " + FLAT + " and " + NESTED + " given: Flink reads one (" + NESTED
                            + " from 1.19 on, ignoring " + FLAT + "); give one");
                }
                configFile = name;
                String text = text(file);
                settings.putAll(name.equals(FLAT) ? ConfParser.flat(text, name) : ConfParser.nested(text, name));
                settings.keySet().forEach(key -> origins.put(key, name));
            } else if (LOG_FILES.contains(name)) {
                logs.put(name, text(file));
            } else {
                throw refused(file);
            }
        }
        return new ConfFiles(configFile, settings, origins, logs);
    }

    private static InvalidInputException refused(Path file) {
        String name = file.getFileName().toString();
        return new InvalidInputException("--conf '" + file + "': on Kubernetes the conf directory is a volume the Flink operator (and "
                + "Flink's native mode) mounts from the deployment's configuration, which hides every other file there; --conf takes "
                + FLAT + ", " + NESTED + " (settings) and " + String.join(", ", LOG_FILES) + " (logging). For a file the job reads "
                + "itself, use --add SRC:DEST with a directory outside the conf dir, e.g. --add " + file + ":/opt/flink/job-conf/" + name);
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read configuration file '" + file + "': " + e.getMessage());
        }
    }

    /**
     * What to tell about the image's own copy when the base's Flink reads the other format: {@value #NESTED} only from
     * 1.19 on, {@value #FLAT} no longer from 2.0. The deployment carries the settings either way.
     */
    public Optional<String> formatNote(FlinkVersion version) {
        if (NESTED.equals(configFile) && !version.atLeast(1, 19) || FLAT.equals(configFile) && version.atLeast(2, 0)) {
            return Optional.of("Flink " + version + " does not read " + configFile + ": the image's copy is ignored when it runs "
                    + "outside Kubernetes (on Kubernetes its settings arrive through the deployment)");
        }
        return Optional.empty();
    }

    /** The file {@code key} came from. */
    public String origin(String key) {
        return origins.get(key);
    }

    /**
     * What went where, a line per file for the build log: {@code confDir} is where the image has them,
     * {@code deployed} whether a deployment carries them to Kubernetes.
     */
    public List<String> placements(String confDir, boolean deployed) {
        List<String> lines = new ArrayList<>();
        String image = confDir + "/ in the image";
        if (configFile != null) {
            lines.add(configFile + ": " + settings.size() + (settings.size() == 1 ? " setting → " : " settings → ")
                    + (deployed ? "the FlinkDeployment's flinkConfiguration and the native-mode -D arguments, and " : "") + image);
        }
        logConfiguration.keySet().forEach(file -> lines.add(file + " → "
                + (deployed ? "the FlinkDeployment's logConfiguration and " : "") + image));
        if (!deployed && !lines.isEmpty()) {
            lines.add("no deployment describes this image (not a registry target or the Flink version unknown): "
                    + "on Kubernetes, the conf directory holds what a deployment's configuration says");
        }
        return lines;
    }
}
