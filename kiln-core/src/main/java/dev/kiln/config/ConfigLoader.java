package dev.kiln.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.kiln.api.Units;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.KilnException;
import dev.kiln.image.HostPattern;
import dev.kiln.image.PullPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@code config.yaml} strictly (unknown keys, duplicate keys and bad values are errors that
 * name the file, line, column and key), applies the environment's overrides, and writes the
 * configuration back as YAML with secrets redacted.
 *
 * <p>Environment overrides, which win over the file (command-line flags win over both):
 * {@code KILN_CACHE_DIR} (store.dir), {@code KILN_STORE_MAX_SIZE}, {@code KILN_STORE_LOW_WATERMARK},
 * and for every registry {@code KILN_POLICY}, {@code KILN_MAX_AGE}, {@code KILN_MAX_STALE},
 * {@code KILN_STALE_IF_ERROR}; {@code KILN_DAEMON} (true/false) for the daemon level; {@code KILN_SERVER_*} for
 * {@code kiln serve} ({@link ServerSection}).
 */
final class ConfigLoader {
    static final String FILE_NAME = "config.yaml";
    private static final String ALL_REGISTRIES = "*";

    /** Created on first use: a process with no configuration file never builds a YAML mapper. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = mapper();
    }

    private ConfigLoader() {
    }

    private static ObjectMapper mapper() {
        SimpleModule units = new SimpleModule("kiln-units")
                .addDeserializer(Duration.class, scalar("a duration such as 90s, 30m, 1h, 7d", Units::parseDuration))
                .addDeserializer(Long.class, scalar("a size such as 500MB, 50GB, 2GiB", Units::parseSize))
                .addDeserializer(PullPolicy.class, scalar("a policy", PullPolicy::parse))
                .addDeserializer(Path.class, scalar("a path", ConfigLoader::path));
        YAMLFactory factory = YAMLFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .registerModule(units);
    }

    /** A value written as one scalar and converted by {@code parse}, whose error message is kept. */
    private static <T> JsonDeserializer<T> scalar(String expected, Function<String, T> parse) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                if (!parser.currentToken().isScalarValue()) {
                    throw JsonMappingException.from(parser, "expected " + expected);
                }
                try {
                    return parse.apply(parser.getText());
                } catch (InvalidInputException e) {
                    throw JsonMappingException.from(parser, e.getMessage());
                }
            }
        };
    }

    private static Path path(String text) {
        if (text.isBlank()) {
            throw new InvalidInputException("empty path");
        }
        return text.startsWith("~/") ? Path.of(System.getProperty("user.home"), text.substring(2)) : Path.of(text);
    }

    static KilnConfig discover(Path explicit, Path cacheDir, Map<String, String> env) {
        if (explicit != null) {
            return load(explicit, env);
        }
        String fromEnv = env.get("KILN_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return load(Path.of(fromEnv), env);
        }
        Path inCacheDir = cacheDir.resolve(FILE_NAME);
        return Files.isRegularFile(inCacheDir) ? load(inCacheDir, env) : withEnvironment(KilnConfig.EMPTY, env);
    }

    static KilnConfig load(Path file, Map<String, String> env) {
        KilnConfig parsed;
        String text = "";
        try {
            text = Files.readString(file);
            try (JsonParser parser = Yaml.MAPPER.createParser(text)) {
                // a file of comments only is a valid, empty configuration
                FileContent content = parser.nextToken() == null ? null : Yaml.MAPPER.readValue(parser, FileContent.class);
                parsed = content == null ? new KilnConfig(null, Map.of(), null, null, List.of(file.toString()))
                        : new KilnConfig(content.store(), content.registries(), content.daemon(), content.server(),
                                List.of(file.toString()));
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("configuration file " + file + " does not exist");
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + describe(e, text));
        } catch (IOException e) {
            throw new InvalidInputException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        return withEnvironment(parsed, env);
    }

    /** The keys a file may have. */
    private record FileContent(KilnConfig.Store store, Map<String, KilnConfig.Registry> registries, KilnConfig.Daemon daemon,
                               KilnConfig.Server server) {
        FileContent {
            if (registries != null) {
                registries.keySet().forEach(HostPattern::of);
            }
        }
    }

    /** {@code :line:column: key.path: what is wrong}, as compilers print errors. */
    private static String describe(JsonProcessingException e, String text) {
        Optional<String> syntax = yamlSyntax(e);
        if (syntax.isPresent()) {
            return syntax.get();
        }
        // the start of the offending value; the parser itself has already read ahead
        JsonLocation at = e.getProcessor() instanceof JsonParser parser ? parser.currentTokenLocation() : e.getLocation();
        String position = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
        if (e instanceof UnrecognizedPropertyException unknown && at != null) {
            position = keyPosition(text, unknown.getPropertyName(), at.getLineNr()).orElse(position);
        }
        String key = e instanceof JsonMappingException mapping ? keyPath(mapping.getPath()) : "";
        String what;
        if (e instanceof UnrecognizedPropertyException unknown) {
            what = "unknown key '" + unknown.getPropertyName() + "'; expected one of " + unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            key = keyPath(unknown.getPath().subList(0, unknown.getPath().size() - 1));
        } else if (e.getMessage() != null && e.getMessage().contains("from String value")) {
            // an object was expected and a bare word came: "maxSize" alone on its line
            Matcher word = Pattern.compile("from String value \\('([^']*)'\\)").matcher(e.getMessage());
            what = "'" + (word.find() ? word.group(1) : "") + "' is a key without a value (write 'key: value', or nest keys under it)";
        } else if (e.getCause() instanceof KilnException cause) {
            // a record's own check (ValueInstantiationException) or a value's parser
            what = cause.getMessage();
        } else {
            what = firstLine(e.getOriginalMessage());
        }
        return position + ": " + (key.isEmpty() ? "" : key + ": ") + what;
    }

    /**
     * A YAML syntax error in plain words, at the line and column where the problem is (SnakeYAML's
     * problem mark, not where the parser started the construct it was reading).
     */
    private static Optional<String> yamlSyntax(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                var mark = yaml.getProblemMark();
                String problem = String.valueOf(yaml.getProblem());
                String what;
                if (problem.contains("(TAB)") || problem.contains("'\\t'")) {
                    what = "tabs are not allowed for indentation; indent with spaces";
                } else if (problem.contains("expected <block end>") || problem.contains("mapping values are not allowed here")) {
                    what = "inconsistent indentation: keys of one mapping must start in the same column";
                } else {
                    what = problem;
                }
                return Optional.of(":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": " + what);
            }
        }
        return Optional.empty();
    }

    /**
     * Where the unknown key {@code name} is written: its last occurrence as a key on or before
     * {@code line} (the parser reports unknown keys of records only once their mapping is read).
     */
    private static Optional<String> keyPosition(String text, String name, int line) {
        Pattern key = Pattern.compile("(^|[\\s{,])([\"']?)" + Pattern.quote(name) + "\\2\\s*:");
        List<String> lines = text.lines().toList();
        for (int i = Math.min(line, lines.size()) - 1; i >= 0; i--) {
            Matcher m = key.matcher(lines.get(i));
            if (m.find()) {
                return Optional.of(":" + (i + 1) + ":" + (m.start(2) + 1));
            }
        }
        return Optional.empty();
    }

    private static String keyPath(List<JsonMappingException.Reference> path) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                String name = ref.getFieldName();
                key.append(key.length() == 0 ? "" : ".").append(name.matches("[A-Za-z0-9_-]+") ? name : "\"" + name + "\"");
            } else if (ref.getIndex() >= 0) {
                key.append('[').append(ref.getIndex()).append(']');
            }
        }
        return key.toString();
    }

    private static String firstLine(String message) {
        String line = message == null ? "invalid value" : message.lines().findFirst().orElse(message);
        // Jackson names its own classes; users know the keys
        return line.replaceAll("\\(class [^)]*\\)", "").replaceAll("`[a-z.]+\\.([A-Za-z$]+)`", "$1").strip();
    }

    /** The environment's overrides applied to {@code config}; each names itself in {@code sources}. */
    static KilnConfig withEnvironment(KilnConfig config, Map<String, String> env) {
        List<String> sources = new ArrayList<>(config.sources());
        KilnConfig.Store store = config.store() != null ? config.store() : new KilnConfig.Store(null, null, null);
        Path dir = envValue(env, "KILN_CACHE_DIR", ConfigLoader::path, sources);
        Long maxSize = envValue(env, "KILN_STORE_MAX_SIZE", Units::parseSize, sources);
        Long low = envValue(env, "KILN_STORE_LOW_WATERMARK", Units::parseSize, sources);
        // a size from the environment replaces the file's watermark too, which may not fit under it
        KilnConfig.Store newStore = checked("KILN_STORE_MAX_SIZE, KILN_STORE_LOW_WATERMARK", () -> new KilnConfig.Store(
                dir != null ? dir : store.dir(), maxSize != null ? maxSize : store.maxSize(),
                low != null ? low : maxSize != null ? null : store.lowWatermark()));

        PullPolicy policy = envValue(env, "KILN_POLICY", PullPolicy::parse, sources);
        Duration maxAge = envValue(env, "KILN_MAX_AGE", Units::parseDuration, sources);
        Duration maxStale = envValue(env, "KILN_MAX_STALE", Units::parseDuration, sources);
        Boolean staleIfError = envValue(env, "KILN_STALE_IF_ERROR", ConfigLoader::bool, sources);
        Map<String, KilnConfig.Registry> registries = new LinkedHashMap<>(config.registries());
        if (policy != null || maxAge != null || maxStale != null || staleIfError != null) {
            registries.putIfAbsent(ALL_REGISTRIES, new KilnConfig.Registry(null, null, null, null, null, null, null, null));
            registries.replaceAll((pattern, r) -> new KilnConfig.Registry(policy != null ? policy : r.policy(),
                    maxAge != null ? maxAge : r.maxAge(), maxStale != null ? maxStale : r.maxStale(),
                    staleIfError != null ? staleIfError : r.staleIfError(), r.mirrors(), r.insecure(), r.caFile(), r.credentials()));
        }

        Boolean daemonEnabled = envValue(env, "KILN_DAEMON", ConfigLoader::bool, sources);
        KilnConfig.Daemon daemon = daemonEnabled == null ? config.daemon()
                : new KilnConfig.Daemon(daemonEnabled, config.daemon() == null ? null : config.daemon().host());
        boolean storeSet = newStore.dir() != null || newStore.maxSize() != null;
        return new KilnConfig(storeSet ? newStore : config.store(), registries, daemon, ServerSection.withEnvironment(config.server(), env, sources),
                sources);
    }

    static <T> T or(T override, T value) {
        return override != null ? override : value;
    }

    static Integer integer(String text) {
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("expected a whole number, not '" + text + "'");
        }
    }

    static <T> T envValue(Map<String, String> env, String name, Function<String, T> parse, List<String> sources) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        sources.add("$" + name);
        return checked(name, () -> parse.apply(value));
    }

    /** {@code value}, with an invalid one reported under the environment variables it came from. */
    static <T> T checked(String variables, Supplier<T> value) {
        try {
            return value.get();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(variables + ": " + e.getMessage());
        }
    }

    static Boolean bool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new InvalidInputException("expected true or false, not '" + text + "'");
        };
    }

    static String toYaml(KilnConfig config) {
        Map<String, Object> root = ShownConfig.redacted(config);
        String header = "# effective configuration, from: " + (config.sources().isEmpty() ? "built-in defaults"
                : String.join(", ", config.sources())) + "\n";
        try {
            return header + (root.isEmpty() ? "{}\n" : Yaml.MAPPER.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the configuration as YAML", e);
        }
    }
}
