package dev.kiln.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code FlinkDeployment} CRD's own {@code openAPIV3Schema}, as the Flink Kubernetes Operator ships it in its
 * API jar ({@code META-INF/fabric8/}), applied as the Kubernetes API server would: a structural-schema walk
 * ({@code properties}, {@code additionalProperties}, {@code items}, {@code x-kubernetes-preserve-unknown-fields},
 * {@code x-kubernetes-int-or-string}, types, enums) where a field the schema does not know is one pruning
 * would silently drop. Stricter than reading the resource into the operator's Java model, which ignores
 * nothing only when told, and knows nothing of string-typed configuration values.
 */
public final class FlinkCrd {
    private static final String RESOURCE = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final JsonNode CRD = load();

    private FlinkCrd() {
    }

    private static JsonNode load() {
        try (InputStream in = FlinkCrd.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath (flink-kubernetes-operator-api)");
            }
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema of {@code version} ({@code v1beta1}). */
    static JsonNode schema(String version) {
        for (JsonNode v : CRD.path("spec").path("versions")) {
            if (v.path("name").asText().equals(version)) {
                return v.path("schema").path("openAPIV3Schema");
            }
        }
        throw new IllegalArgumentException("the CRD has no version " + version);
    }

    /** What is wrong with {@code yaml} as a {@code FlinkDeployment}: pruned fields, wrong types, values outside an enum; empty when valid. */
    public static List<String> problems(String yaml) {
        JsonNode resource;
        try {
            resource = YAML.readTree(yaml);
        } catch (IOException e) {
            return List.of("not YAML: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        String group = CRD.path("spec").path("group").asText();
        String apiVersion = resource.path("apiVersion").asText();
        if (!apiVersion.startsWith(group + "/")) {
            problems.add("apiVersion " + apiVersion + " is not of " + group);
        }
        if (!resource.path("kind").asText().equals(CRD.path("spec").path("names").path("kind").asText())) {
            problems.add("kind " + resource.path("kind") + " is not FlinkDeployment");
        }
        if (!resource.path("metadata").path("name").isTextual()) {
            problems.add("metadata.name is missing");
        }
        JsonNode schema = schema(apiVersion.substring(apiVersion.indexOf('/') + 1));
        // apiVersion, kind and metadata are every resource's own, never pruned; the rest follows the schema
        for (Iterator<Map.Entry<String, JsonNode>> it = resource.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!List.of("apiVersion", "kind", "metadata").contains(field.getKey())) {
                walkField(field.getKey(), field.getValue(), schema, "", problems);
            }
        }
        return problems;
    }

    private static void walk(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean()) {
                problems.add(path + ": null where the schema is not nullable");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                problems.add(path + ": " + value + " is neither an integer nor a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        boolean typed = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
        if (!typed) {
            problems.add(path + ": " + value + " is not of type " + type);
            return;
        }
        if (schema.has("enum") && !contains(schema.get("enum"), value)) {
            problems.add(path + ": " + value + " is not one of " + schema.get("enum"));
        }
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                walk(value.get(i), schema.path("items"), path + "[" + i + "]", problems);
            }
        } else if (value.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                walkField(field.getKey(), field.getValue(), schema, path, problems);
            }
        }
    }

    private static void walkField(String name, JsonNode value, JsonNode schema, String path, List<String> problems) {
        String fieldPath = path.isEmpty() ? name : path + "." + name;
        JsonNode additional = schema.path("additionalProperties");
        if (schema.path("properties").has(name)) {
            walk(value, schema.path("properties").get(name), fieldPath, problems);
        } else if (additional.isObject()) {
            walk(value, additional, fieldPath, problems);
        } else if (!additional.asBoolean(false) && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            problems.add(fieldPath + ": not in the schema, so Kubernetes would prune it");
        }
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
