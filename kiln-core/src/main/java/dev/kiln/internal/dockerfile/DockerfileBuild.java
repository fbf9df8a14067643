package dev.kiln.internal.dockerfile;

import dev.kiln.internal.build.ConfigChanges;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Platform;
import dev.kiln.internal.layer.LayerSource;
import dev.kiln.internal.store.BaseFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A Dockerfile read for one target platform, in two steps: {@link #read} parses it, checks that
 * Kiln can carry out every instruction and that every build argument is declared, and names the
 * base (so this happens before any request); {@link #evaluate} then turns the stage into layers
 * and configuration changes, with the base's environment available to substitution as BuildKit
 * does ({@code COPY job.jar $FLINK_HOME/usrlib/}).
 */
public final class DockerfileBuild {
    private static final Set<String> COPY_FLAGS = Set.of("chown", "chmod");

    private final String file;
    private final Path context;
    private final List<Instruction> stage;
    private final Map<String, String> buildArgs;
    private final Map<String, String> globals;
    private final String base;
    private final Platform platform;
    private final boolean runs;

    /** What the Dockerfile builds on: the base ({@code null} for scratch) and the platform of the base to use. */
    public record From(String base, Platform platform) {
    }

    /** The stage, evaluated: the layers to add in order and the configuration changes. */
    public record Stage(List<LayerSource> layers, ConfigChanges changes) {
    }

    private DockerfileBuild(String file, Path context, List<Instruction> stage, Map<String, String> buildArgs,
                            Map<String, String> globals, String base, Platform platform, boolean runs) {
        this.file = file;
        this.context = context;
        this.stage = stage;
        this.buildArgs = buildArgs;
        this.globals = globals;
        this.base = base;
        this.platform = platform;
        this.runs = runs;
    }

    /** Reads {@code dockerfile} for {@code target}, RUN allowed for file operations; nothing here touches the network. */
    public static DockerfileBuild read(Path dockerfile, Path context, Map<String, String> buildArgs, Platform target) {
        return read(dockerfile, context, buildArgs, target, true);
    }

    /** {@code --run}'s value: {@code files} (the default: RUN carries out file operations) or {@code none} (every RUN is refused). */
    public static boolean runsAllowed(String mode) {
        if (mode == null || mode.equals("files")) {
            return true;
        }
        if (mode.equals("none")) {
            return false;
        }
        throw new InvalidInputException("--run=" + mode + ": expected files (RUN carries out file operations) or none (RUN is refused)");
    }

    /** {@link #read(Path, Path, Map, Platform)}, with every RUN refused unless {@code runs}. */
    public static DockerfileBuild read(Path dockerfile, Path context, Map<String, String> buildArgs, Platform target, boolean runs) {
        String text;
        try {
            text = Files.readString(dockerfile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("Dockerfile '" + dockerfile + "' does not exist");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read Dockerfile '" + dockerfile + "': " + e.getMessage());
        }
        if (!Files.isDirectory(context)) {
            throw new InvalidInputException("build context '" + context + "' is not a directory");
        }
        String file = dockerfile.getFileName().toString();
        List<Instruction> all = DockerfileParser.parse(text, file);
        int from = -1;
        Set<String> declared = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            Instruction instruction = all.get(i);
            switch (instruction.keyword()) {
                case "FROM" -> {
                    if (from >= 0) {
                        throw new InvalidInputException(file + ":" + instruction.line() + ": a second FROM starts another stage: "
                                + "multi-stage builds need RUN or COPY --from, which Kiln cannot carry out");
                    }
                    from = i;
                }
                case "ARG" -> declared.add(argName(instruction, file));
                default -> {
                    if (from < 0) {
                        throw new InvalidInputException(file + ":" + instruction.line() + ": " + instruction.keyword()
                                + " before FROM: only ARG may come before FROM");
                    }
                    if (instruction.keyword().equals("RUN")) {
                        RunStep.check(instruction, file, runs);
                    } else {
                        refuseUnsupported(instruction, file);
                    }
                }
            }
        }
        if (from < 0) {
            throw new InvalidInputException(file + ": no FROM instruction");
        }
        for (String name : buildArgs.keySet()) {
            if (!declared.contains(name)) {
                throw new InvalidInputException("build argument '" + name + "' is not declared by any ARG in " + file);
            }
        }
        Map<String, String> globals = new LinkedHashMap<>(platformArgs(target, Platform.host()));
        for (Instruction arg : all.subList(0, from)) {
            declare(arg, globals, buildArgs, Map.of(), file);
        }
        Instruction fromInstruction = all.get(from);
        Map<String, String> flags = fromInstruction.flags();
        for (String flag : flags.keySet()) {
            if (!flag.equals("platform")) {
                throw new InvalidInputException(file + ":" + fromInstruction.line() + ": FROM --" + flag + " is not supported");
            }
        }
        List<String> words = Words.split(fromInstruction.arguments(), m -> error(file, fromInstruction, m));
        if (!(words.size() == 1 || words.size() == 3 && words.get(1).equalsIgnoreCase("AS"))) {
            throw new InvalidInputException(file + ":" + fromInstruction.line() + ": expected FROM [--platform=P] IMAGE [AS NAME]");
        }
        String base = Variables.substitute(words.get(0), globals, m -> error(file, fromInstruction, m));
        if (base.isBlank()) {
            throw new InvalidInputException(file + ":" + fromInstruction.line() + ": FROM names no image (is a build argument missing?)");
        }
        Platform platform = flags.containsKey("platform")
                ? Platform.parse(Variables.substitute(flags.get("platform"), globals, m -> error(file, fromInstruction, m))) : target;
        return new DockerfileBuild(file, context.toAbsolutePath().normalize(), all.subList(from + 1, all.size()), buildArgs, globals,
                base.equals("scratch") ? null : base, platform, runs);
    }

    public From from() {
        return new From(base, platform);
    }

    /**
     * The stage's layers and configuration on a base whose environment is {@code baseEnv}
     * ({@code NAME=value} entries), whose working directory is {@code baseWorkdir} (where a RUN runs until a
     * WORKDIR says otherwise; null: {@code /}) and whose files {@code baseFiles} reads (only when a RUN or an owner name
     * needs them). Archives that {@code ADD} extracts and the content RUN writes go under {@code scratch}.
     */
    public Stage evaluate(List<String> baseEnv, String baseWorkdir, Path scratch, BaseFiles baseFiles) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : baseEnv) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        Map<String, String> args = new LinkedHashMap<>();
        Map<String, String> newEnv = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> ports = new ArrayList<>();
        List<String> volumes = new ArrayList<>();
        List<LayerSource> layers = new ArrayList<>();
        List<String> entrypoint = null;
        List<String> cmd = null;
        String workdir = null;
        String user = null;
        DockerIgnore ignore = DockerIgnore.read(context);
        int archives = 0;
        ImageTree tree = new ImageTree(baseFiles, scratch.resolve("tree"));
        boolean runLater = stage.stream().anyMatch(i -> i.keyword().equals("RUN"));
        for (Instruction instruction : stage) {
            Map<String, String> scope = new LinkedHashMap<>(args);
            scope.putAll(env);
            Function<String, InvalidInputException> error = m -> error(file, instruction, m);
            switch (instruction.keyword()) {
                case "ARG" -> declare(instruction, args, buildArgs, globals, file);
                case "ENV" -> pairs(instruction, scope, error).forEach((k, v) -> {
                    env.put(k, v);
                    newEnv.put(k, v);
                });
                case "LABEL" -> labels.putAll(pairs(instruction, scope, error));
                case "WORKDIR" -> {
                    String dir = Variables.substitute(instruction.arguments(), scope, error);
                    workdir = normalize(dir.startsWith("/") ? dir : (workdir == null ? "/" : workdir) + "/" + dir);
                }
                case "USER" -> user = Variables.substitute(instruction.arguments(), scope, error);
                case "EXPOSE" -> Words.split(instruction.arguments(), error).forEach(p -> ports.add(Variables.substitute(p, scope, error)));
                case "VOLUME" -> (instruction.json() != null ? instruction.json() : Words.split(instruction.arguments(), error))
                        .forEach(v -> volumes.add(Variables.substitute(v, scope, error)));
                case "ENTRYPOINT" -> {
                    entrypoint = command(instruction);
                    if (cmd == null) {
                        cmd = List.of();
                    }
                }
                case "CMD" -> cmd = command(instruction);
                case "COPY", "ADD" -> {
                    for (LayerSource layer : new CopyStep(context, ignore, tree).layers(instruction, scope, workdir,
                            scratch.resolve("add-" + archives++), error)) {
                        layers.add(layer);
                        if (runLater) {
                            tree.apply(layer); // a later RUN sees what COPY put there
                        }
                    }
                }
                case "RUN" -> {
                    // the RUN's process sees the base's environment, ARG and ENV (ENV winning), as in Docker;
                    // its scratch directory's name is what the log and the image's history call the layer
                    LayerSource layer = RunStep.carryOut(instruction, file, tree, scope, workdir, baseWorkdir, user,
                            scratch.resolve("RUN line " + instruction.line()));
                    if (layer != null) {
                        layers.add(layer);
                    }
                }
                default -> throw new IllegalStateException("refused in read: " + instruction.keyword());
            }
        }
        return new Stage(layers, new ConfigChanges(newEnv, entrypoint, cmd, workdir, user, labels, ports, volumes));
    }

    private static List<String> command(Instruction instruction) {
        if (instruction.json() != null) {
            return instruction.json();
        }
        return instruction.arguments().isBlank() ? List.of() : List.of("/bin/sh", "-c", instruction.arguments());
    }

    /** ENV and LABEL: {@code NAME=value …}, or ENV's older {@code NAME value}. */
    private static Map<String, String> pairs(Instruction instruction, Map<String, String> scope,
                                             Function<String, InvalidInputException> error) {
        List<String> words = Words.split(instruction.arguments(), error);
        Map<String, String> pairs = new LinkedHashMap<>();
        if (instruction.keyword().equals("ENV") && !words.get(0).contains("=")) {
            String rest = instruction.arguments().strip().substring(words.get(0).length()).strip();
            if (rest.isEmpty()) {
                throw error.apply("ENV " + words.get(0) + " needs a value");
            }
            pairs.put(words.get(0), Variables.substitute(rest, scope, error));
            return pairs;
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw error.apply("expected NAME=value, not '" + word + "'");
            }
            Map<String, String> current = new LinkedHashMap<>(scope);
            current.putAll(pairs);
            pairs.put(word.substring(0, eq), Variables.substitute(word.substring(eq + 1), current, error));
        }
        return pairs;
    }

    /** An ARG: its value is the build argument, else the automatic platform value, else the inherited global, else its default. */
    private static void declare(Instruction arg, Map<String, String> into, Map<String, String> buildArgs, Map<String, String> globals,
                                String file) {
        String text = arg.arguments().strip();
        int eq = text.indexOf('=');
        String name = argName(arg, file);
        String value;
        if (buildArgs.containsKey(name)) {
            value = buildArgs.get(name);
        } else if (globals.containsKey(name)) {
            value = globals.get(name);
        } else if (eq > 0) {
            Map<String, String> scope = new LinkedHashMap<>(globals);
            scope.putAll(into);
            value = Variables.substitute(unquote(text.substring(eq + 1)), scope, m -> error(file, arg, m));
        } else {
            return;
        }
        into.put(name, value);
    }

    private static String argName(Instruction arg, String file) {
        String text = arg.arguments().strip();
        int eq = text.indexOf('=');
        String name = eq > 0 ? text.substring(0, eq) : text;
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new InvalidInputException(file + ":" + arg.line() + ": invalid ARG '" + text + "': expected NAME or NAME=default");
        }
        return name;
    }

    private static String unquote(String value) {
        String v = value.strip();
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** BuildKit's automatic arguments for the target and the build machine. */
    private static Map<String, String> platformArgs(Platform target, Platform build) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("TARGETPLATFORM", target.toString());
        args.put("TARGETOS", target.os());
        args.put("TARGETARCH", target.architecture());
        args.put("TARGETVARIANT", target.variant() == null ? "" : target.variant());
        args.put("BUILDPLATFORM", build.toString());
        args.put("BUILDOS", build.os());
        args.put("BUILDARCH", build.architecture());
        args.put("BUILDVARIANT", build.variant() == null ? "" : build.variant());
        return args;
    }

    private static void refuseUnsupported(Instruction instruction, String file) {
        String why = switch (instruction.keyword()) {
            case "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL", "MAINTAINER" -> instruction.keyword() + " is not supported by Kiln";
            case "COPY", "ADD" -> instruction.flags().keySet().stream().filter(f -> !COPY_FLAGS.contains(f)).findFirst()
                    .map(f -> f.equals("from") ? "COPY --from copies from another stage or image, which Kiln cannot build or unpack"
                            : instruction.keyword() + " --" + f + " is not supported by Kiln")
                    .orElse(instruction.keyword().equals("ADD") && Words.split(instruction.arguments(), InvalidInputException::new).stream()
                            .anyMatch(w -> w.matches(CopyStep.URL)) ? CopyStep.ADD_URL : null);
            default -> null;
        };
        if (why != null) {
            throw new InvalidInputException(file + ":" + instruction.line() + ": " + why);
        }
    }

    private static String normalize(String path) {
        String normalized = Path.of(path).normalize().toString();
        return normalized.isEmpty() ? "/" : normalized;
    }

    private static InvalidInputException error(String file, Instruction instruction, String message) {
        return new InvalidInputException(file + ":" + instruction.line() + ": " + instruction.keyword() + ": " + message);
    }
}
