package dev.kiln.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Results as the JSON documents front ends write ({@code kiln pull|build|… --json}, the Maven plugin's {@code image.json}):
 * indented, times in RFC 3339, a build's duration as {@code durationMs}. One shape for every front end, which
 * writes its other documents (lists, reports) with {@link #write(Object)}.
 */
public final class ResultJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ResultJson() {
    }

    static String build(BuildResult result) {
        return write(withMillis(JSON.valueToTree(result), result.duration()));
    }

    static String pull(PullResult result) {
        return write(withMillis(JSON.valueToTree(result), result.duration()));
    }

    static String flinkBuild(FlinkBuildResult result) {
        ObjectNode tree = JSON.valueToTree(result);
        tree.set("build", withMillis((ObjectNode) tree.get("build"), result.build().duration()));
        return write(tree);
    }

    /** Replaces the {@link Duration} field {@code duration} by {@code durationMs}. */
    private static ObjectNode withMillis(ObjectNode node, Duration duration) {
        node.remove("duration");
        node.put("durationMs", duration.toMillis());
        return node;
    }

    /**
     * {@code document} (a record, a list, a map) as one indented JSON document, times in RFC 3339, as every
     * front end writes it.
     */
    public static String write(Object document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
