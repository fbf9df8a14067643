package dev.kiln.internal.build;

import dev.kiln.error.InvalidInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a build changes in the base image's runtime configuration; {@code null} keeps the base's
 * value. As in a Dockerfile, setting the entrypoint without a command clears the base's command.
 *
 * @param env          variables to set, in order (a base variable of the same name is replaced)
 * @param exposedPorts {@code 8081} or {@code 6123/udp}
 * @param volumes      mount points to declare (Dockerfile {@code VOLUME})
 */
public record ConfigChanges(Map<String, String> env, List<String> entrypoint, List<String> cmd, String workingDir,
                            String user, Map<String, String> labels, List<String> exposedPorts, List<String> volumes) {

    private static final Pattern PORT = Pattern.compile("\\d{1,5}(/(tcp|udp|sctp))?");

    public static final ConfigChanges NONE = new ConfigChanges(Map.of(), null, null, null, null, Map.of(), List.of(), List.of());

    /** Changes without volumes, as the command line and the Flink builds make them. */
    public ConfigChanges(Map<String, String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                         Map<String, String> labels, List<String> exposedPorts) {
        this(env, entrypoint, cmd, workingDir, user, labels, exposedPorts, List.of());
    }

    /**
     * These changes with {@code over} applied on top (what a request sets over a Dockerfile's result):
     * its variables and labels replace same-named ones, its ports are added, its entrypoint, command,
     * working directory and user win when set; an entrypoint set without a command clears this one's
     * command too, as {@code docker run --entrypoint} does.
     */
    /**
     * Whether these change nothing (equal to {@link #NONE}). Asked of every build: a record's generated
     * {@code equals} is linked on first use through method handles, ~10 ms of a short-lived JVM for this one.
     */
    public boolean isNone() {
        return env.isEmpty() && entrypoint == null && cmd == null && workingDir == null && user == null && labels.isEmpty()
                && exposedPorts.isEmpty() && volumes.isEmpty();
    }

    public ConfigChanges then(ConfigChanges over) {
        Map<String, String> newEnv = new LinkedHashMap<>(env);
        newEnv.putAll(over.env);
        Map<String, String> newLabels = new LinkedHashMap<>(labels);
        newLabels.putAll(over.labels);
        List<String> ports = new java.util.ArrayList<>(exposedPorts);
        over.exposedPorts.stream().filter(p -> !ports.contains(p)).forEach(ports::add);
        boolean newEntrypoint = over.entrypoint != null;
        return new ConfigChanges(newEnv, newEntrypoint ? over.entrypoint : entrypoint,
                over.cmd != null ? over.cmd : newEntrypoint ? null : cmd,
                over.workingDir != null ? over.workingDir : workingDir, over.user != null ? over.user : user, newLabels, ports, volumes);
    }

    public ConfigChanges {
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        for (String port : exposedPorts) {
            if (!PORT.matcher(port).matches() || Integer.parseInt(port.split("/")[0]) > 65535) {
                throw new InvalidInputException("invalid port '" + port + "': expected PORT[/tcp|udp|sctp], e.g. 8081 or 6123/udp");
            }
        }
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        cmd = cmd == null ? null : List.copyOf(cmd);
    }
}
