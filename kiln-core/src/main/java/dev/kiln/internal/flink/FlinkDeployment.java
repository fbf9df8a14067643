package dev.kiln.internal.flink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import dev.kiln.error.InvalidInputException;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How to run a built job image on Kubernetes, in the two ways Flink offers: a {@code FlinkDeployment}
 * resource for the Flink Kubernetes Operator ({@code flink.apache.org/v1beta1}), or the arguments
 * of {@code flink run-application --target kubernetes-application}. Both name the image by digest,
 * so what runs is exactly what was built, whatever happens to the tag later.
 *
 * The {@code --conf} files' settings and log configuration are the deployment's own: on Kubernetes the
 * conf directory is a volume made from them (see {@link ConfFiles}).
 *
 * @param image  the image by digest, {@code registry/repository@sha256:…}
 * @param jarUri {@code local:///opt/flink/usrlib/job.jar}
 * @param conf   what the {@code --conf} files say; {@code settings} already holds the values that win over them
 */
public record FlinkDeployment(Settings settings, String image, FlinkVersion flinkVersion, String jarUri, Optional<String> entryClass,
                              ConfFiles conf) {
    /** Kubernetes object names: DNS labels; the operator derives service names from it, hence 45 characters. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,43}[a-z0-9])?");
    private static final List<String> UPGRADE_MODES = List.of("stateless", "savepoint", "last-state");
    /** Keys the deployment sets from what it is (its name, the image): a file's value for them never applies. */
    public static final List<String> OWN_KEYS = List.of("kubernetes.cluster-id", "kubernetes.container.image",
            "kubernetes.container.image.ref");
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder().stringQuotingChecker(new Yaml11Quoting()).build())
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // flinkConfiguration values are strings in the CRD's schema: "2", never 2
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    /**
     * Quotes what a YAML 1.1 reader — Kubernetes' own — would not take as a string: besides what Jackson
     * quotes, {@code 0x1F}, {@code 1_000}, {@code .inf} and dates, which would break the CRD's string values.
     */
    private static final class Yaml11Quoting extends StringQuotingChecker.Default {
        private static final Resolver RESOLVER = new Resolver();

        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || !Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, value, true));
        }
    }

    /** Memory as Flink reads it ({@code 2048m}, {@code 2g}) and CPU cores. */
    public record Resources(String memory, double cpu) {
        public Resources {
            if (!DeploymentOption.isMemory(memory)) {
                throw new InvalidInputException("invalid memory '" + memory + "': expected a size such as 2048m or 2g");
            }
            if (!(cpu > 0) || Double.isInfinite(cpu)) {
                throw new InvalidInputException("invalid cpu " + cpu + ": expected a positive number of cores");
            }
            memory = memory.strip();
        }
    }

    /**
     * What the user chooses about the deployment, checked before anything is built.
     *
     * @param name        the resource's name and the native mode's cluster id
     * @param upgradeMode the operator's job upgrade mode: stateless, savepoint or last-state
     */
    public record Settings(String name, List<String> args, int parallelism, int taskSlots, String serviceAccount,
                           Resources jobManager, Resources taskManager, String upgradeMode) {
        public Settings {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new InvalidInputException("invalid deployment name '" + name + "': lowercase letters, digits and '-', "
                        + "starting and ending with a letter or digit, at most 45 characters");
            }
            if (parallelism < 1 || taskSlots < 1) {
                throw new InvalidInputException("parallelism and task slots must be at least 1");
            }
            if (serviceAccount == null || serviceAccount.isBlank()) {
                throw new InvalidInputException("a deployment needs a service account");
            }
            if (!UPGRADE_MODES.contains(upgradeMode)) {
                throw new InvalidInputException("invalid upgrade mode '" + upgradeMode + "': expected one of "
                        + String.join(", ", UPGRADE_MODES));
            }
            args = List.copyOf(args);
        }

        /** Settings with the options' values as {@link DeploymentOption#resolve resolved}. */
        public static Settings of(String name, List<String> args, DeploymentOption.Resolution options, String upgradeMode) {
            return new Settings(name, args, Integer.parseInt(options.get(DeploymentOption.PARALLELISM)),
                    Integer.parseInt(options.get(DeploymentOption.TASK_SLOTS)), options.get(DeploymentOption.SERVICE_ACCOUNT),
                    new Resources(options.get(DeploymentOption.JOBMANAGER_MEMORY), Double.parseDouble(options.get(DeploymentOption.JOBMANAGER_CPU))),
                    new Resources(options.get(DeploymentOption.TASKMANAGER_MEMORY), Double.parseDouble(options.get(DeploymentOption.TASKMANAGER_CPU))),
                    upgradeMode);
        }

        /** The option's value as Flink configuration text. */
        public String value(DeploymentOption option) {
            return switch (option) {
                case PARALLELISM -> Integer.toString(parallelism);
                case TASK_SLOTS -> Integer.toString(taskSlots);
                case SERVICE_ACCOUNT -> serviceAccount;
                case JOBMANAGER_MEMORY -> jobManager.memory();
                case JOBMANAGER_CPU -> cores(jobManager.cpu());
                case TASKMANAGER_MEMORY -> taskManager.memory();
                case TASKMANAGER_CPU -> cores(taskManager.cpu());
            };
        }

        private static String cores(double cpu) {
            return java.math.BigDecimal.valueOf(cpu).stripTrailingZeros().toPlainString();
        }
    }

    public FlinkDeployment {
        if (!image.contains("@sha256:")) {
            throw new IllegalArgumentException("a deployment names its image by digest, not " + image);
        }
    }

    /** A valid deployment name from an image's repository: {@code jobs/Orders_Job} → {@code orders-job}. */
    public static String nameFor(String repository) {
        String last = repository.substring(repository.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String name = last.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (name.length() > 45) {
            name = name.substring(0, 45).replaceAll("-+$", "");
        }
        return name.isEmpty() ? "flink-job" : name;
    }

    /** The {@code FlinkDeployment} resource, as YAML. */
    public String toYaml() {
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("apiVersion", "flink.apache.org/v1beta1");
        resource.put("kind", "FlinkDeployment");
        resource.put("metadata", Map.of("name", settings.name()));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("image", image);
        spec.put("imagePullPolicy", "IfNotPresent");
        spec.put("flinkVersion", flinkVersion.operatorName());
        spec.put("flinkConfiguration", flinkConfiguration());
        if (!conf.logConfiguration().isEmpty()) {
            spec.put("logConfiguration", conf.logConfiguration());
        }
        spec.put("serviceAccount", settings.serviceAccount());
        spec.put("jobManager", Map.of("resource", resources(settings.jobManager())));
        spec.put("taskManager", Map.of("resource", resources(settings.taskManager())));
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("jarURI", jarUri);
        entryClass.ifPresent(c -> job.put("entryClass", c));
        if (!settings.args().isEmpty()) {
            job.put("args", settings.args());
        }
        job.put("parallelism", settings.parallelism());
        job.put("upgradeMode", settings.upgradeMode());
        spec.put("job", job);
        resource.put("spec", spec);
        try {
            return YAML.writeValueAsString(resource);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a deployment always serializes", e);
        }
    }

    /**
     * The files' settings, where an option's value replaces the file's when it differs (a given value
     * won), and the task slots, which the resource has no field of its own for.
     */
    private Map<String, String> flinkConfiguration() {
        Map<String, String> out = new LinkedHashMap<>();
        conf.settings().forEach((key, value) -> {
            Optional<DeploymentOption> option = DeploymentOption.ofKey(key);
            if (!OWN_KEYS.contains(key)) {
                out.put(key, option.isPresent() && !option.get().sameValue(settings.value(option.get()), value)
                        ? settings.value(option.get()) : value);
            }
        });
        out.putIfAbsent(DeploymentOption.TASK_SLOTS.keys().get(0), settings.value(DeploymentOption.TASK_SLOTS));
        return out;
    }

    private static Map<String, Object> resources(Resources r) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("memory", r.memory());
        map.put("cpu", r.cpu());
        return map;
    }

    /**
     * The same deployment in Flink's native mode: the arguments after {@code flink}, starting with
     * {@code run-application --target kubernetes-application}. Configuration keys follow the version
     * (Flink 1.17 renamed {@code kubernetes.container.image} and the CPU keys).
     */
    public List<String> nativeArgs() {
        List<String> out = new ArrayList<>(List.of("run-application", "--target", "kubernetes-application"));
        out.add("-Dkubernetes.cluster-id=" + settings.name());
        out.add("-D" + (flinkVersion.atLeast(1, 17) ? "kubernetes.container.image.ref" : "kubernetes.container.image") + "=" + image);
        for (DeploymentOption option : DeploymentOption.values()) {
            out.add("-D" + option.key(flinkVersion) + "=" + settings.value(option));
        }
        // the rest of the files' settings: here the -D options are the whole configuration the pods get
        conf.settings().forEach((key, value) -> {
            if (!OWN_KEYS.contains(key) && DeploymentOption.ofKey(key).isEmpty()) {
                out.add("-D" + key + "=" + value);
            }
        });
        entryClass.ifPresent(c -> {
            out.add("--class");
            out.add(c);
        });
        out.add(jarUri);
        out.addAll(settings.args());
        return out;
    }

    /**
     * {@link #nativeArgs()} as a shell command, one argument per line, each quoted when it needs to be; after a
     * comment naming the log files, if any, which native mode takes from the client's conf dir.
     */
    public String nativeCommand() {
        // native mode builds the pods' log configuration from the client's own conf dir, not from arguments
        String logs = conf.logConfiguration().isEmpty() ? "" : "# " + String.join(", ", conf.logConfiguration().keySet())
                + ": Flink ships the copy in the conf dir of the machine running this command ($FLINK_CONF_DIR)\n";
        return logs + "flink " + nativeArgs().stream().map(FlinkDeployment::shellQuoted).collect(Collectors.joining(" \\\n  ")) + "\n";
    }

    private static String shellQuoted(String arg) {
        return arg.matches("[A-Za-z0-9_./:=@%+,-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
