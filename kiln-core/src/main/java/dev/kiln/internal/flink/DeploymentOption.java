package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The deployment's options that are also Flink configuration keys: each can be given (a command-line
 * option, a request's setting), set in a {@code --conf} file, or left to its default. A given value wins
 * over the file's and the log says so; a default applies only when the file lacks the key, so a file's
 * value is never silently replaced.
 */
public enum DeploymentOption {
    /** The job's parallelism; the resource's {@code job.parallelism}. */
    PARALLELISM("--parallelism", Kind.COUNT, "parallelism.default"),
    /** Task slots per TaskManager. */
    TASK_SLOTS("--task-slots", Kind.COUNT, "taskmanager.numberOfTaskSlots"),
    /** The pods' service account; the resource's {@code serviceAccount}. */
    SERVICE_ACCOUNT("--service-account", Kind.NAME, "kubernetes.service-account"),
    /** The JobManager's memory; the resource's {@code jobManager.resource.memory}. */
    JOBMANAGER_MEMORY("--jobmanager-memory", Kind.MEMORY, "jobmanager.memory.process.size"),
    // Flink 1.17 renamed the CPU keys; the old names stay readable as fallbacks, as in Flink itself
    /** The JobManager's CPU; the resource's {@code jobManager.resource.cpu}. */
    JOBMANAGER_CPU("--jobmanager-cpu", Kind.CPU, "kubernetes.jobmanager.cpu.amount", "kubernetes.jobmanager.cpu"),
    /** Each TaskManager's memory; the resource's {@code taskManager.resource.memory}. */
    TASKMANAGER_MEMORY("--taskmanager-memory", Kind.MEMORY, "taskmanager.memory.process.size"),
    /** Each TaskManager's CPU; the resource's {@code taskManager.resource.cpu}. */
    TASKMANAGER_CPU("--taskmanager-cpu", Kind.CPU, "kubernetes.taskmanager.cpu.amount", "kubernetes.taskmanager.cpu");

    private static final Pattern MEMORY = Pattern.compile("\\d+(\\.\\d+)?\\s*(b|k|kb|m|mb|g|gb|t|tb)?", Pattern.CASE_INSENSITIVE);

    /** What a value is: the word in errors and what it must look like. */
    private enum Kind {
        COUNT(null, "a whole number of at least 1"), NAME(null, "a name"),
        MEMORY("memory", "a size such as 2048m or 2g"), CPU("cpu", "a positive number of cores");

        /** {@code null}: the option's own name. */
        final String noun;
        final String expected;

        Kind(String noun, String expected) {
            this.noun = noun;
            this.expected = expected;
        }
    }

    private final String flag;
    private final Kind kind;
    private final List<String> keys;

    DeploymentOption(String flag, Kind kind, String... keys) {
        this.flag = flag;
        this.kind = kind;
        this.keys = List.of(keys);
    }

    /** The command-line option that gives it, as messages name it. */
    public String flag() {
        return flag;
    }

    /** Its Flink configuration keys, the current name first. */
    public List<String> keys() {
        return keys;
    }

    /** The key as {@code version} names it ({@code kubernetes.jobmanager.cpu} before Flink 1.17). */
    public String key(FlinkVersion version) {
        return version.atLeast(1, 17) || keys.size() == 1 ? keys.get(0) : keys.get(1);
    }

    /** Whether {@code key} is one of this option's keys. */
    public static Optional<DeploymentOption> ofKey(String key) {
        for (DeploymentOption option : values()) {
            if (option.keys.contains(key)) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }

    /** {@code text} checked as this option's kind of value; {@code where} names its source in the error. */
    String check(String text, String where) {
        String value = text == null ? "" : text.strip();
        boolean valid = switch (kind) {
            case COUNT -> value.matches("[1-9]\\d{0,8}");
            case NAME -> !value.isEmpty();
            case MEMORY -> isMemory(value);
            case CPU -> isCpu(value);
        };
        if (!valid) {
            String noun = kind.noun != null ? kind.noun : flag.substring(2);
            throw new InvalidInputException("invalid " + noun + " '" + text + "' " + where + ": expected " + kind.expected);
        }
        return value;
    }

    /** A size as Flink reads it: {@code 2048m}, {@code 2 g}. */
    static boolean isMemory(String value) {
        return value != null && MEMORY.matcher(value.strip()).matches();
    }

    /** A positive, finite number of cores. */
    private static boolean isCpu(String value) {
        if (value == null) {
            return false;
        }
        try {
            double cores = Double.parseDouble(value);
            return cores > 0 && !Double.isInfinite(cores);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether two texts are the same value of this option ({@code 1} and {@code 1.0} cores are). */
    boolean sameValue(String a, String b) {
        if (kind == Kind.CPU && isCpu(a) && isCpu(b)) {
            return Double.parseDouble(a.strip()) == Double.parseDouble(b.strip());
        }
        return a.strip().equals(b.strip());
    }

    /**
     * Each option's value: given, else the files', else the default; and a line for the log for each given
     * value that replaces a different one in a file.
     *
     * @param given    the values given, as text; an option absent was not given
     * @param defaults a value for every option
     */
    public static Resolution resolve(Map<DeploymentOption, String> given, Map<DeploymentOption, String> defaults, ConfFiles conf) {
        Map<DeploymentOption, String> values = new EnumMap<>(DeploymentOption.class);
        List<String> notes = new ArrayList<>();
        for (DeploymentOption option : values()) {
            Optional<String> fileKey = option.keys.stream().filter(conf.settings()::containsKey).findFirst();
            String fileValue = fileKey.map(k -> option.check(conf.settings().get(k), "for " + k + " in " + conf.origin(k))).orElse(null);
            String givenValue = given.get(option) == null ? null : option.check(given.get(option), "given with " + option.flag);
            if (givenValue != null) {
                values.put(option, givenValue);
                if (fileValue != null && !option.sameValue(givenValue, fileValue)) {
                    notes.add(option.flag + " " + givenValue + " wins over " + fileKey.get() + ": " + fileValue + " in "
                            + conf.origin(fileKey.get()));
                }
            } else {
                values.put(option, fileValue != null ? fileValue : option.check(defaults.get(option), "as the default " + option.flag));
            }
        }
        return new Resolution(values, notes);
    }

    /** Every option's value, and what the log should say about given values that replaced a file's. */
    public record Resolution(Map<DeploymentOption, String> values, List<String> notes) {
        public Resolution {
            values = Map.copyOf(values);
            notes = List.copyOf(notes);
        }

        /** The option's value as text. */
        public String get(DeploymentOption option) {
            return values.get(option);
        }
    }
}
